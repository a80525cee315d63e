using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Reservation.Diagnostics;

namespace YarpWaitingRoom.Reservation.Inventory;

/// <summary>
/// Writes what is left of <see cref="InventoryOptions.PerformanceId"/> to the inventory of <see cref="InventoryOptions.Room"/>
/// when seats come back with no response to carry the header: holds swept as expired, holds released for visitors who left
/// the waiting room, an operator's reset. Through the core's <see cref="QueueStore.SetInventoryAsync"/>: the observation is
/// stamped with the time of the count, and the latest observation wins, so a proxy flushing an older header cannot undo it.
/// A failure is logged and given up: the next publication or response carries the truth again.
/// </summary>
public sealed partial class InventoryPublisher
{
    /// <summary>What the backend writes as the observation's source.</summary>
    public const string Source = "backend";

    private readonly IOptions<InventoryOptions> _options;
    private readonly ILogger<InventoryPublisher> _logger;
    private readonly QueueStore? _queue;

    public InventoryPublisher(IConnectionMultiplexer redis, IOptions<InventoryOptions> options, TimeProvider timeProvider, ILogger<InventoryPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        if (options.Value is { Enabled: true, Room: { Length: > 0 } room })
        {
            // Only SetInventoryAsync is used: the room's queue settings play no part in it.
            _queue = new QueueStore(redis, room, new RoomOptions(), timeProvider);
        }
    }

    /// <summary>Counts what is left (with <paramref name="inventory"/>, the caller's database context) and writes it; never throws but for cancellation.</summary>
    public async Task PublishAsync(SeatInventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        if (_queue is null)
        {
            return;
        }

        var room = _queue.Keys.Room;
        try
        {
            var performance = _options.Value.PerformanceId ?? await inventory.OnlyPerformanceAsync(cancellationToken);
            if (performance is null || await inventory.OfPerformanceAsync(performance.Value, cancellationToken) is not { } count)
            {
                Log.NoPerformance(_logger, room, _options.Value.PerformanceId);
                return;
            }

            var change = await _queue.SetInventoryAsync(count.Remaining, count.ObservedAt, Source);
            Log.Published(_logger, room, count.Remaining, count.PerformanceId, change.Applied);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(_logger, room, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.InventoryPublished, LogLevel.Debug, "Room {Room}: {Remaining} seats left of performance {PerformanceId} written (applied: {Applied})")]
        public static partial void Published(ILogger logger, string room, int remaining, int performanceId, bool applied);

        [LoggerMessage(EventIds.InventoryPerformanceUnknown, LogLevel.Warning, "Room {Room}: no inventory written: performance {PerformanceId} not found, or no Reservation:Inventory:PerformanceId set and the database does not hold exactly one performance")]
        public static partial void NoPerformance(ILogger logger, string room, int? performanceId);

        [LoggerMessage(EventIds.InventoryPublishFailed, LogLevel.Warning, "Room {Room}: writing the seats left failed; the next publication or response carries them")]
        public static partial void PublishFailed(ILogger logger, string room, Exception exception);
    }
}

using Microsoft.Extensions.Options;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Inventory;

namespace YarpWaitingRoom.Reservation.Holds;

/// <summary>
/// Marks lapsed holds expired every <see cref="HoldOptions.SweepInterval"/>; when it ended any, writes the seats left to the
/// waiting room (<see cref="InventoryPublisher"/>): no response carries that news.
/// </summary>
internal sealed partial class HoldExpirySweeper(
    IServiceScopeFactory scopeFactory,
    IOptions<HoldOptions> options,
    InventoryPublisher inventory,
    TimeProvider timeProvider,
    ILogger<HoldExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                var expired = await scope.ServiceProvider.GetRequiredService<HoldService>().ExpireLapsedAsync(stoppingToken);
                if (expired > 0)
                {
                    Log.HoldsExpired(logger, expired);
                    await inventory.PublishAsync(scope.ServiceProvider.GetRequiredService<SeatInventory>(), stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.SweepFailed(logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.HoldsExpired, LogLevel.Information, "Expired {Count} lapsed holds")]
        public static partial void HoldsExpired(ILogger logger, int count);

        [LoggerMessage(EventIds.HoldSweepFailed, LogLevel.Warning, "Hold expiry sweep failed; retrying at the next interval")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}

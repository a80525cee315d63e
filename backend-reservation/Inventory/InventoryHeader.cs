using System.Globalization;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Reservation.Diagnostics;

namespace YarpWaitingRoom.Reservation.Inventory;

/// <summary>
/// Puts <c>X-WaitingRoom-Inventory: &lt;remaining&gt;</c> on a response: what is left of the performance the response
/// concerns (the proxy records it for the route's room and removes it before the client). A count that fails leaves the
/// header out and is logged: the answer itself (a hold made, a seat sold) stands.
/// </summary>
public sealed partial class InventoryHeader(SeatInventory inventory, IOptionsMonitor<InventoryOptions> options, ILogger<InventoryHeader> logger)
{
    /// <summary>Counts what is left of seat <paramref name="seatId"/>'s performance and adds it; nothing when there is no such seat.</summary>
    public async Task AddForSeatAsync(HttpResponse response, int seatId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!options.CurrentValue.Enabled)
        {
            return;
        }

        InventoryCount? count;
        try
        {
            count = await inventory.OfSeatAsync(seatId, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.CountFailed(logger, seatId, ex);
            return;
        }

        if (count is { } known)
        {
            Set(response, known.Remaining);
        }
    }

    /// <summary>Adds <paramref name="remaining"/>, counted by the caller (the seat list counts its own available seats).</summary>
    public void Add(HttpResponse response, int remaining)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (options.CurrentValue.Enabled)
        {
            Set(response, remaining);
        }
    }

    private static void Set(HttpResponse response, int remaining) =>
        response.Headers[WaitingRoomHeaders.Inventory] = remaining.ToString(CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(EventIds.InventoryCountFailed, LogLevel.Warning, "Counting the seats left for seat {SeatId}'s performance failed; answering without X-WaitingRoom-Inventory")]
        public static partial void CountFailed(ILogger logger, int seatId, Exception exception);
    }
}

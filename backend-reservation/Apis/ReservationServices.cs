using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;
using YarpWaitingRoom.Reservation.Inventory;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>The dependencies of <see cref="ReservationApi"/>'s handlers, bound with <c>[AsParameters]</c>.</summary>
public sealed class ReservationServices(
    ReservationDbContext db, HoldService holds, InventoryHeader inventory, TimeProvider timeProvider, ReservationMetrics metrics)
{
    public ReservationDbContext Db { get; } = db;

    public HoldService Holds { get; } = holds;

    /// <summary>The <c>X-WaitingRoom-Inventory</c> of hold, release, confirm and seat-list answers.</summary>
    public InventoryHeader Inventory { get; } = inventory;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ReservationMetrics Metrics { get; } = metrics;
}

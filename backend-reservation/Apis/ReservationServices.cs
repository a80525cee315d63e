using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Reservation.Holds;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>The dependencies of <see cref="ReservationApi"/>'s handlers, bound with <c>[AsParameters]</c>.</summary>
public sealed class ReservationServices(ReservationDbContext db, HoldService holds, TimeProvider timeProvider, ReservationMetrics metrics)
{
    public ReservationDbContext Db { get; } = db;

    public HoldService Holds { get; } = holds;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ReservationMetrics Metrics { get; } = metrics;
}

using System.Runtime.CompilerServices;
using Prometheus;

namespace YarpWaitingRoom.Reservation.Diagnostics;

/// <summary>The backend's Prometheus metrics (prometheus-net, default registry).</summary>
public sealed class ReservationMetrics
{
    /// <summary>Registers every series at construction (the singleton is built at start-up), so <c>/metrics</c> lists them before first use.</summary>
    public ReservationMetrics() => RuntimeHelpers.RunClassConstructor(typeof(ReservationMetrics).TypeHandle);

    public const string LimitReason = "limit";

    private static readonly Counter HoldsCreatedTotal = Metrics.CreateCounter(
        "reservation_holds_created_total", "Seat holds created.");

    private static readonly Counter HoldsConflictedTotal = Metrics.CreateCounter(
        "reservation_holds_conflicted_total", "Hold attempts refused because the seat was held or sold.");

    private static readonly Counter HoldsRejectedTotal = Metrics.CreateCounter(
        "reservation_holds_rejected_total", "Hold attempts refused for another reason.", "reason");

    private static readonly Counter HoldsExpiredTotal = Metrics.CreateCounter(
        "reservation_holds_expired_total", "Holds that lapsed before confirmation.");

    private static readonly Counter HoldsReleasedTotal = Metrics.CreateCounter(
        "reservation_holds_released_total", "Holds released before expiry, by reason (visitor, abandoned, session-expired, session-ended).", "reason");

    private static readonly Counter ReservationsTotal = Metrics.CreateCounter(
        "reservation_reservations_total", "Seats sold (holds confirmed).");

    private static readonly Counter EventsTotal = Metrics.CreateCounter(
        "reservation_waiting_room_events_total", "Waiting-room stream entries handled, by type and outcome (applied, duplicate, ignored, malformed).", "type", "outcome");

    private static readonly Counter ConsumersForgottenTotal = Metrics.CreateCounter(
        "reservation_waiting_room_consumers_forgotten_total", "Consumers of gone instances deleted from the waiting-room events' consumer group (nothing pending, idle for ForgetConsumersAfter).");

    private static readonly Counter BadRequestsTotal = Metrics.CreateCounter(
        "reservation_bad_requests_total", "Requests refused for bad input, by reason.", "reason");

    private static readonly Counter DatabaseUnavailableTotal = Metrics.CreateCounter(
        "reservation_database_unavailable_total", "Requests answered 503 because PostgreSQL was out of reach (down, restarting, refusing connections, timing out).");

    public void HoldCreated() => HoldsCreatedTotal.Inc();

    public void HoldConflicted() => HoldsConflictedTotal.Inc();

    public void HoldRejected(string reason) => HoldsRejectedTotal.WithLabels(reason).Inc();

    public void HoldsExpired(int count)
    {
        if (count > 0)
        {
            HoldsExpiredTotal.Inc(count);
        }
    }

    public void HoldsReleased(string reason, int count)
    {
        if (count > 0)
        {
            HoldsReleasedTotal.WithLabels(reason).Inc(count);
        }
    }

    public void ReservationMade() => ReservationsTotal.Inc();

    public void EventHandled(string type, string outcome) => EventsTotal.WithLabels(type, outcome).Inc();

    public void ConsumerForgotten() => ConsumersForgottenTotal.Inc();

    public void BadRequest(string reason) => BadRequestsTotal.WithLabels(reason).Inc();

    public void DatabaseUnavailable() => DatabaseUnavailableTotal.Inc();
}

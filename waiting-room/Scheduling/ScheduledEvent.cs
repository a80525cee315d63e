namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// A scheduled sale of one room: a pre-queue that opens at <see cref="PrequeueOpensAt"/> and the draw at
/// <see cref="StartsAt"/>. Built from an admin request by <see cref="TryCreate"/>, which names the field it refuses and
/// keeps the times in UTC to the millisecond.
/// </summary>
internal sealed record ScheduledEvent(string Name, DateTimeOffset PrequeueOpensAt, DateTimeOffset StartsAt, DrawOrder Order)
{
    /// <summary>The longest event name (it titles the waiting page).</summary>
    public const int MaxNameLength = 200;

    /// <summary>
    /// Checks a request field by field: a name of 1 to <see cref="MaxNameLength"/> characters without control characters;
    /// both times given, <c>prequeueOpensAt</c> ≤ <c>startsAt</c> and <c>startsAt</c> after <paramref name="now"/>; an order
    /// of <c>Lottery</c> or <c>Fifo</c> (any case; <c>Lottery</c> when absent). On refusal, <paramref name="field"/> names the
    /// request's field (as the JSON spells it) and <paramref name="problem"/> says what is wrong with it.
    /// </summary>
    public static bool TryCreate(
        string? name, DateTimeOffset? prequeueOpensAt, DateTimeOffset? startsAt, string? order, DateTimeOffset now,
        out ScheduledEvent? scheduled, out string? field, out string? problem)
    {
        scheduled = null;
        (field, problem) = Check(name, prequeueOpensAt, startsAt, order, now, out var drawOrder);
        if (field is not null)
        {
            return false;
        }

        scheduled = new ScheduledEvent(name!, Stored(prequeueOpensAt!.Value), Stored(startsAt!.Value), drawOrder);
        return true;
    }

    /// <summary>A time as the event keeps it: UTC, whole milliseconds (what Redis stores and every document shows).</summary>
    private static DateTimeOffset Stored(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>Where the event stands at <paramref name="now"/> by its times alone (whether it was drawn is Redis').</summary>
    public EventPhase PhaseAt(DateTimeOffset now, bool drawn) =>
        drawn ? EventPhase.Drawn : now < PrequeueOpensAt ? EventPhase.Scheduled : EventPhase.Prequeue;

    private static (string? Field, string? Problem) Check(
        string? name, DateTimeOffset? prequeueOpensAt, DateTimeOffset? startsAt, string? order, DateTimeOffset now, out DrawOrder drawOrder)
    {
        drawOrder = DrawOrder.Lottery;
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            return ("name", $"give a name of 1 to {MaxNameLength} characters without control characters");
        }

        if (prequeueOpensAt is null)
        {
            return ("prequeueOpensAt", "give the time the pre-queue opens (ISO 8601 with an offset)");
        }

        if (startsAt is null)
        {
            return ("startsAt", "give the time the sale starts (ISO 8601 with an offset)");
        }

        if (startsAt <= now)
        {
            return ("startsAt", "the start must be in the future");
        }

        if (prequeueOpensAt > startsAt)
        {
            return ("prequeueOpensAt", "the pre-queue must open at or before the start");
        }

        // Names only: Enum.TryParse would also take "1" or "0, 1".
        if (order is not null && !(order.Length > 0 && order.All(char.IsAsciiLetter) && Enum.TryParse(order, ignoreCase: true, out drawOrder)))
        {
            return ("order", "give Lottery or Fifo");
        }

        return (null, null);
    }
}

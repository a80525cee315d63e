using System.Globalization;
using StackExchange.Redis;

namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// A room's scheduled sale as every proxy and hub keeps it with the room's state (read with it, once a second and at
/// once on the room's <c>sale</c> notice): enough to hold visitors in the pre-queue, count down to the start, wake the
/// drawer at the start, and place the pre-queue sessions once drawn. Secrets (seed, receipt key) are not in it.
/// </summary>
/// <param name="Name">The event's name (titles the waiting page).</param>
/// <param name="PrequeueOpensAt">When the pre-queue opens.</param>
/// <param name="StartsAt">When the sale starts (the draw).</param>
/// <param name="FrozenAt">When the pre-queue was frozen for the draw; null before.</param>
/// <param name="DrawnAt">When the draw was swapped in; null before.</param>
/// <param name="FirstSequence">The first sequence of the drawn participants (0 before the freeze).</param>
/// <param name="Participants">Participants frozen for the draw (0 before the freeze).</param>
/// <param name="InPrequeue">Visitors in the pre-queue now (until the freeze).</param>
/// <param name="Order">How the pre-queue is ordered at the start (the waiting page promises an equal chance only for a lottery).</param>
internal sealed record SaleView(
    string Name, DateTimeOffset PrequeueOpensAt, DateTimeOffset StartsAt, DateTimeOffset? FrozenAt, DateTimeOffset? DrawnAt, long FirstSequence, long Participants, long InPrequeue = 0,
    DrawOrder Order = DrawOrder.Lottery)
{
    /// <summary>The schedule hash's fields read, in the order <see cref="Parse"/> takes them.</summary>
    internal static readonly RedisValue[] Fields = ["name", "prequeueOpensAt", "startsAt", "frozenAt", "drawnAt", "firstSeq", "participants", "order"];

    /// <summary>Where the sale stands at <paramref name="now"/> by what was read (the scripts decide; this is for display and waking).</summary>
    public EventPhase PhaseAt(DateTimeOffset now) =>
        DrawnAt is not null ? EventPhase.Drawn : now < PrequeueOpensAt ? EventPhase.Scheduled : EventPhase.Prequeue;

    /// <summary>Whether visitors are held in the pre-queue at <paramref name="now"/>: it opened and the draw is not done.</summary>
    public bool HoldsAt(DateTimeOffset now) => DrawnAt is null && now >= PrequeueOpensAt;

    /// <summary>Whether the draw is due at <paramref name="now"/>: the start has come and it is not drawn.</summary>
    public bool DueAt(DateTimeOffset now) => DrawnAt is null && now >= StartsAt;

    /// <summary>Whether <paramref name="sequence"/> is one the draw gave a participant.</summary>
    public bool IsDrawnSequence(long sequence) =>
        DrawnAt is not null && sequence >= FirstSequence && sequence < FirstSequence + Participants;

    /// <summary>The sale from the values of <see cref="Fields"/>; null when none is scheduled.</summary>
    internal static SaleView? Parse(RedisValue[] values)
    {
        if (values.Length != Fields.Length || values[0].IsNull)
        {
            return null;
        }

        return new SaleView(
            (string)values[0]!,
            Time(values[1]) ?? DateTimeOffset.MaxValue,
            Time(values[2]) ?? DateTimeOffset.MaxValue,
            Time(values[3]),
            Time(values[4]),
            Number(values[5]),
            Number(values[6]),
            Order: Enum.TryParse<DrawOrder>((string?)values[7], out var order) ? order : DrawOrder.Lottery);
    }

    private static DateTimeOffset? Time(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private static long Number(RedisValue value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
}

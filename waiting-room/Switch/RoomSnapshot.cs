using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Switch;

/// <summary>A room's shared state as read from Redis in one round trip.</summary>
/// <param name="Version">Compare-and-set version of the switch fields.</param>
/// <param name="Mode">The operator's mode (the configured one until an operator changes it).</param>
/// <param name="Switch">Queue on/off, since when, why, and the debounce timers.</param>
/// <param name="RateLastSecond">Requests in the last full second, all edge instances (as last evaluated).</param>
/// <param name="RateTenSeconds">Average over the last ten seconds (as last evaluated).</param>
/// <param name="AdmitRate">Admissions per second, averaged over about a minute of demand; 0 when unknown.</param>
/// <param name="LastAdmittedAt">When the last visitor was admitted; null before the first.</param>
/// <param name="LastAdmissionRun">When the admit script last ran (whether or not it admitted anyone).</param>
/// <param name="Waiting">Visitors waiting.</param>
/// <param name="Active">Visitors admitted and not yet gone.</param>
/// <param name="Sale">The room's scheduled sale; null when none.</param>
/// <param name="Inventory">What the protected API (or an operator) last said is left, and when; null when unknown.</param>
/// <param name="Challenge">The operator's challenge setting (admin API), null until one is made: the options' hold.</param>
/// <param name="MaxActiveOverride">The operator's <c>MaxActive</c> (admin API), null until one is set: the options' holds.</param>
/// <param name="MaxPlacesPerNetworkOverride">The operator's <c>MaxPlacesPerNetwork</c> (admin API), null until one is set.</param>
internal sealed record RoomSnapshot(
    long Version,
    RoomMode Mode,
    SwitchState Switch,
    double RateLastSecond,
    double RateTenSeconds,
    double AdmitRate,
    DateTimeOffset? LastAdmittedAt,
    DateTimeOffset? LastAdmissionRun,
    long Waiting,
    long Active,
    Scheduling.SaleView? Sale = null,
    Queue.InventoryView? Inventory = null,
    RoomChallenge? Challenge = null,
    int? MaxActiveOverride = null,
    int? MaxPlacesPerNetworkOverride = null)
{
    /// <summary>What a visitor without a place must solve now: the operator's setting, else the room's options.</summary>
    public RoomChallenge ChallengeOf(RoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Challenge ?? new RoomChallenge(options.Challenge, options.ChallengeDifficulty);
    }

    /// <summary>
    /// The most visitors active at once in force now: the operator's value while one is set (0: admit no one new), else the
    /// room's options'. Admission reads the same field in its own atomic step (prelude.lua's <c>admission_cap</c>).
    /// </summary>
    public int MaxActiveOf(RoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return MaxActiveOverride ?? options.MaxActive;
    }

    /// <summary>
    /// The most waiting places per client network in force now (0: the cap is off): the operator's value while one is set,
    /// else the room's options'. The join reads the same field in its own atomic step (prelude.lua's <c>network_cap</c>).
    /// </summary>
    public int MaxPlacesPerNetworkOf(RoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return MaxPlacesPerNetworkOverride ?? options.MaxPlacesPerNetwork;
    }

    /// <summary>Whether the room's inventory is known and nothing is left.</summary>
    public bool SoldOut => Inventory is { Remaining: 0 };

    /// <summary>
    /// The most visitors admission lets be active: <see cref="MaxActiveOf"/>, and with an inventory known and <c>AdmitPerSeat</c>
    /// above 0 no more than ceil(AdmitPerSeat × remaining), the rule the admit script enforces (prelude.lua's
    /// <c>admission_cap</c>; less a hair before rounding up, as there).
    /// </summary>
    public long AdmissionCap(RoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var maxActive = MaxActiveOf(options);
        if (Inventory is not { } inventory || options.AdmitPerSeat <= 0)
        {
            return maxActive;
        }

        return Math.Min(maxActive, (long)Math.Ceiling((options.AdmitPerSeat * inventory.Remaining) - 1e-9));
    }

    /// <summary>
    /// Seconds until a visitor at <paramref name="position"/> is admitted: the next tick when the free capacity reaches
    /// them, else the wait for the places ahead of them at the measured admission rate, plus the next tick. Null while
    /// there is no honest estimate: before the first admission, when none happened within six ticks (at least two
    /// minutes), or while the room is sold out (nobody is admitted until seats come back). The free capacity is that of
    /// admission itself: <see cref="AdmissionCap"/> (the <c>MaxActive</c> in force, and the inventory's bound).
    /// </summary>
    public double? EtaSeconds(long position, DateTimeOffset now, RoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (SoldOut)
        {
            return null;
        }

        var freshness = options.AdmitInterval * 6 > TimeSpan.FromMinutes(2) ? options.AdmitInterval * 6 : TimeSpan.FromMinutes(2);
        if (LastAdmittedAt is not { } last || now - last > freshness)
        {
            return null;
        }

        var untilTick = (options.AdmitInterval - TimeSpan.FromTicks(now.UtcTicks % options.AdmitInterval.Ticks)).TotalSeconds;
        var free = Math.Max(0, AdmissionCap(options) - Active);
        if (position <= free)
        {
            return Math.Ceiling(untilTick);
        }

        return AdmitRate <= 1e-6 ? null : Math.Ceiling((position - free) / AdmitRate + untilTick);
    }
}

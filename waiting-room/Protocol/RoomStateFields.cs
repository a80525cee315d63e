namespace YarpWaitingRoom.Protocol;

/// <summary>
/// The fields of a room's state hash (<see cref="Redis.RedisKeys.State"/>), and who writes each. Scripts name them as
/// literals (Lua has no access to these constants); <c>RoomStateFieldsTests</c> checks that every field a script reads or
/// writes is declared here.
/// </summary>
internal static class RoomStateFields
{
    /// <summary>
    /// The state's version: compare-and-set for the switch (write-state.lua), and bumped by every write of what a room's
    /// snapshot carries from this hash (the switch, the mode, the challenge, <see cref="MaxActive"/>,
    /// <see cref="MaxPlacesPerNetwork"/>). A proxy keeps the newest snapshot by it: a read sent before an operator's change
    /// may answer after the change's own read, and without a higher version the change would lose to it until the next
    /// poll (the proxy that took the call would answer with the old challenge for up to a second).
    /// </summary>
    public const string Version = "version";

    /// <summary><see cref="Options.RoomMode"/> as its name (operator's mode).</summary>
    public const string Mode = "mode";

    /// <summary><c>1</c> while the queue is on.</summary>
    public const string QueueOn = "queueOn";

    /// <summary>When the queue last switched (ms).</summary>
    public const string Since = "since";

    /// <summary>Why it switched (<see cref="Switch.SwitchReasons"/>).</summary>
    public const string Reason = "reason";

    /// <summary>Since when the rate has been at or above the sustained threshold (ms), or empty.</summary>
    public const string HighSince = "highSince";

    /// <summary>Since when the rate has been at or below the calm threshold (ms), or empty.</summary>
    public const string CalmSince = "calmSince";

    /// <summary>The edge tier's rate over the last second, as the evaluator last saw it.</summary>
    public const string RateLastSecond = "rate1s";

    /// <summary>The edge tier's 10-second average rate, as the evaluator last saw it.</summary>
    public const string RateTenSeconds = "rate10s";

    /// <summary>Admission fencing: the newest lock grant's fence accepted by admit.lua.</summary>
    public const string Fence = "fence";

    /// <summary>Admission fencing: the fence sequence (HINCRBY per lock grant).</summary>
    public const string FenceSequence = "fenceSeq";

    /// <summary>Average admissions per second (admit.lua), behind the ETA.</summary>
    public const string AdmitRate = "admitRate";

    /// <summary>When admit.lua last ran (ms): admission liveness.</summary>
    public const string LastAdmissionRun = "lastAdmissionRun";

    /// <summary>When admit.lua last admitted someone (ms).</summary>
    public const string LastAdmittedAt = "lastAdmittedAt";

    /// <summary>
    /// How many waiting tickets left from the middle of the queue since the room's last reset (reap.lua): each is also a
    /// <see cref="Redis.RedisKeys.Departed"/> entry and an event with a <c>seq</c>, and a hub that counted fewer events
    /// reads <see cref="Redis.RedisKeys.Departed"/> anew (<see cref="Queue.PositionBook"/>).
    /// </summary>
    public const string Departed = "departed";

    /// <summary>The operator's challenge mode (<see cref="Options.ChallengeMode"/> as its name; admin API), absent until set.</summary>
    public const string Challenge = "challenge";

    /// <summary>The operator's challenge difficulty (leading zero bits), set with <see cref="Challenge"/>.</summary>
    public const string ChallengeDifficulty = "challengeDifficulty";

    /// <summary>
    /// The operator's <see cref="Options.RoomOptions.MaxActive"/> (admin API; a whole number from 0), absent until set and
    /// after it is cleared: admission (prelude.lua's <c>admission_cap</c>) obeys it over the configured value.
    /// </summary>
    public const string MaxActive = "maxActive";

    /// <summary>
    /// The operator's <see cref="Options.RoomOptions.MaxPlacesPerNetwork"/> (admin API; a whole number from 0, 0 = off),
    /// absent until set and after it is cleared: the join (prelude.lua's <c>network_cap</c>) obeys it over the configured
    /// value, and the reap's count of networks at the cap too.
    /// </summary>
    public const string MaxPlacesPerNetwork = "maxPlacesPerNetwork";

    /// <summary>Every field above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Version, Mode, QueueOn, Since, Reason, HighSince, CalmSince, RateLastSecond, RateTenSeconds,
        Fence, FenceSequence, AdmitRate, LastAdmissionRun, LastAdmittedAt, Departed, Challenge, ChallengeDifficulty,
        MaxActive, MaxPlacesPerNetwork,
    ];
}

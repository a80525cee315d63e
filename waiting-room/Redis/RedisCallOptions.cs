namespace YarpWaitingRoom.Redis;

/// <summary>
/// How <see cref="RedisCallPolicy"/> judges Redis calls: when a call is given up, when a timeout means busy rather than
/// gone, and when the breaker opens. The proxy builds it from <c>WaitingRoom:Gate</c>; the hub uses its own defaults.
/// </summary>
internal sealed record RedisCallOptions
{
    /// <summary>A call that takes longer is given up (busy, or a failure once Redis has stalled).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Timeouts count as failures only once no call has succeeded for this long (a hung Redis); before that a timeout
    /// means busy (a spike).
    /// </summary>
    public TimeSpan StallAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures in a row that open the breaker.</summary>
    public int BreakerFailures { get; init; } = 5;

    /// <summary>How long an open breaker refuses calls at once, without asking Redis, before letting calls probe again.</summary>
    public TimeSpan BreakerOpenFor { get; init; } = TimeSpan.FromSeconds(2);
}

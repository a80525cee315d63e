using System.ComponentModel.DataAnnotations;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Bound from <c>WaitingRoom:Gate</c>: how the gate behaves when Redis is slow or gone. The Redis settings make the
/// proxy's one <see cref="RedisCallPolicy"/> (<see cref="ToRedisCallOptions"/>), which every Redis call of the proxy runs
/// through: the gate, the <c>/_wr/</c> endpoints, the end-session transform and the background loops.
/// </summary>
internal sealed class GateOptions
{
    public const string SectionName = WaitingRoomOptions.SectionName + ":" + SubsectionName;

    /// <summary>The section under the waiting room's own (<c>Gate</c>).</summary>
    public const string SubsectionName = "Gate";

    /// <summary>A Redis call that takes longer is given up (busy, or a failure once stalled).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Timeouts count as Redis failures only once no call has succeeded for this long (a hung Redis); before that a
    /// timeout means busy (a spike): the request is shed with 503 and the room's failure policy is not applied.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Failures in a row that open the breaker.</summary>
    [Range(1, 1000)]
    public int BreakerFailures { get; set; } = 5;

    /// <summary>How long an open breaker skips Redis entirely before probing again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan BreakerOpenFor { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Redis call policy's settings (<see cref="RedisCallPolicy"/>), which every store of the proxy runs through.</summary>
    public RedisCallOptions ToRedisCallOptions() => new()
    {
        Timeout = RedisTimeout,
        StallAfter = StallAfter,
        BreakerFailures = BreakerFailures,
        BreakerOpenFor = BreakerOpenFor,
    };
}

using StackExchange.Redis;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Limits;

/// <summary>
/// Rate limits that hold for the whole site, however many proxies share the load: the buckets live in Redis and one
/// script (<c>limit.lua</c>, GCRA) decides a request against all of its buckets in one round trip, taking from each only
/// when all allow it. "Now" comes from the <see cref="TimeProvider"/>; the script sets each key's TTL, so the keys of an
/// idle client vanish once its buckets are full again. The call runs through the store's <see cref="RedisCallPolicy"/>.
/// Thread-safe; hold one per process.
/// </summary>
internal sealed class RateLimitStore
{
    private const long MicrosecondsPerSecond = 1_000_000;

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _timeProvider;
    private readonly RedisCallPolicy _policy;

    /// <param name="redis">The process's connection.</param>
    /// <param name="timeProvider">"Now" of every decision.</param>
    /// <param name="policy">What every Redis call runs through; by default none (<see cref="RedisCallPolicy.PassThrough"/>).</param>
    public RateLimitStore(IConnectionMultiplexer redis, TimeProvider timeProvider, RedisCallPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _redis = redis;
        _timeProvider = timeProvider;
        _policy = policy ?? RedisCallPolicy.PassThrough;
    }

    /// <summary>
    /// Takes one request from every bucket, or from none when any refuses. The buckets' keys must share one hash tag
    /// (<see cref="RateLimitKeys"/> gives the keys of one client the tag of its network).
    /// </summary>
    public async Task<RateLimitVerdict> TryTakeAsync(IReadOnlyList<RateBucket> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var keys = new RedisKey[buckets.Count];
        var args = new RedisValue[1 + (2 * buckets.Count)];
        args[0] = (_timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        for (var i = 0; i < buckets.Count; i++)
        {
            var bucket = buckets[i];
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucket.PerSecond);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucket.Burst);
            keys[i] = bucket.Key;
            args[1 + (2 * i)] = Math.Max(1, MicrosecondsPerSecond / bucket.PerSecond);
            args[2 + (2 * i)] = bucket.Burst;
        }

        var result = (RedisResult[])(await _policy.RunAsync(() => LuaScripts.Limit.EvaluateAsync(_redis.GetDatabase(), keys, args)))!;
        var refusedBy = (int)result[0];
        return refusedBy == 0 ? RateLimitVerdict.Allowed : new RateLimitVerdict(refusedBy - 1, TimeSpan.FromMilliseconds((long)result[1]));
    }
}

using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Gate;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>
/// Limits that hold for the whole site whatever the number of proxies: a request is checked first against this
/// instance's in-process buckets (a flood from one client is refused without a Redis call), then against the client's
/// site-wide buckets in Redis, all of them in one script call (<see cref="RateLimitStore"/>, through the proxy's
/// <see cref="RedisCallPolicy"/>). When Redis is out of reach (down, open breaker, stalled) the in-process decision
/// stands: each proxy still limits by itself, so a Redis outage never becomes a site outage, and the site-wide bound is
/// at worst the configured one times the number of proxies until Redis is back. A Redis that is merely busy (a spike:
/// this call outlasted <see cref="GateOptions.RedisTimeout"/> while others succeed) is the caller's to handle: the gate
/// sheds the join, as it would have shed the join's own call.
/// </summary>
internal sealed partial class SiteRateLimiter
{
    private readonly RateLimitStore _store;
    private readonly RateLimitKeys _keys;
    private readonly RedisCallPolicy _redisCalls;
    private readonly GateMetrics _metrics;
    private readonly RateLimitOptions _options;
    private readonly ILogger<SiteRateLimiter> _logger;
    private readonly LogThrottle _fallbackLog;

    public SiteRateLimiter(
        RateLimitStore store,
        RateLimitKeys keys,
        RedisCallPolicy redisCalls,
        GateMetrics metrics,
        IOptions<RateLimitOptions> options,
        TimeProvider timeProvider,
        ILogger<SiteRateLimiter> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(redisCalls);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _store = store;
        _keys = keys;
        _redisCalls = redisCalls;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _fallbackLog = new LogThrottle(TimeSpan.FromSeconds(1), timeProvider);
    }

    /// <summary>The client of a request (as the trusted proxies reported it) and its network.</summary>
    public ClientNetwork Client(HttpContext context) =>
        ClientNetwork.Of(ClientRateLimiting.ClientAddress(context), _options.IPv4NetworkPrefix, _options.IPv6NetworkPrefix);

    /// <summary>Takes one request from each of <paramref name="limits"/> for <paramref name="client"/>, or says which refused.</summary>
    /// <exception cref="RedisBusyException">Redis is busy: no site-wide decision within the gate's timeout.</exception>
    public async ValueTask<SiteLimitLease> AcquireAsync(ClientNetwork client, IReadOnlyList<SiteLimit> limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var buckets = new RateBucket[limits.Count];
        for (var i = 0; i < limits.Count; i++)
        {
            using var local = limits[i].TryLocal(client);
            if (!local.IsAcquired)
            {
                return SiteLimitLease.Refused(limits[i], local.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.Zero);
            }

            buckets[i] = limits[i].Bucket(_keys, client);
        }

        if (!_redisCalls.AllowsCall)
        {
            return FallBack(null);
        }

        RateLimitVerdict verdict;
        try
        {
            verdict = await _store.TryTakeAsync(buckets);
        }
        catch (Exception ex) when (ex is not RedisBusyException && RedisCallPolicy.IsRedisFailure(ex))
        {
            return FallBack(ex);
        }

        return verdict.IsAllowed ? SiteLimitLease.Acquired : SiteLimitLease.Refused(limits[verdict.RefusedBy], verdict.RetryAfter);
    }

    /// <summary>Redis could not decide: the in-process buckets, which allowed the request, stand.</summary>
    public SiteLimitLease FallBack(Exception? exception)
    {
        _metrics.RateLimitFallback();
        if (_fallbackLog.TryEnter())
        {
            Log.SiteLimitUnavailable(_logger, exception);
        }

        return SiteLimitLease.Acquired;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SiteLimitUnavailable, LogLevel.Warning, "Site-wide rate limits unavailable (Redis did not answer); each proxy limits by itself meanwhile (at most one line a second)")]
        public static partial void SiteLimitUnavailable(ILogger logger, Exception? exception);
    }
}

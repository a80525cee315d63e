using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>
/// The admin API's per-address limit, site-wide through <see cref="SiteRateLimiter"/>, as the partitions of the admin
/// limiter of <see cref="Endpoints.EndpointGuard"/>: it decides before the endpoint runs (before any body is read), and
/// refusals are answered like every other limit's. The console's sign-in takes a permit of the admin limit and one of
/// its own, stricter limit (<see cref="SignInPolicy"/>) in the same call.
/// </summary>
internal sealed class AdminLimiter : IDisposable
{
    private readonly SiteRateLimiter _site;
    /// <summary>The sign-in limit's policy name (metrics, Redis keys).</summary>
    public const string SignInPolicy = "admin-sign-in";

    private readonly SiteLimit[] _limits;
    private readonly SiteLimit[] _signInLimits;
    private readonly TimeProvider _timeProvider;

    public AdminLimiter(SiteRateLimiter site, IOptions<RateLimitOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _site = site;
        _timeProvider = timeProvider;
        var admin = new SiteLimit(Endpoints.AdminApi.RateLimitPolicy, LimitScope.Address, options.Value.AdminPerSecond, options.Value.AdminBurst);
        _limits = [admin];
        _signInLimits = [admin, new SiteLimit(SignInPolicy, LimitScope.Address, options.Value.AdminSignInPerSecond, options.Value.AdminSignInBurst)];
    }

    /// <summary>The request's partition: one per client address, dropped by the limiter once idle.</summary>
    public RateLimitPartition<ClientNetwork> Partition(HttpContext context) =>
        RateLimitPartition.Get(_site.Client(context), client => new Partitioned(this, client, _limits));

    /// <summary>A sign-in's partition: the admin limit and the sign-in limit together.</summary>
    public RateLimitPartition<ClientNetwork> SignInPartition(HttpContext context) =>
        RateLimitPartition.Get(_site.Client(context), client => new Partitioned(this, client, _signInLimits));

    public void Dispose()
    {
        _signInLimits[0].Dispose();
        _signInLimits[1].Dispose();
    }

    /// <summary>One client's view of the limits, in the shape a partitioned rate limiter asks for.</summary>
    private sealed class Partitioned(AdminLimiter owner, ClientNetwork client, SiteLimit[] limits) : RateLimiter
    {
        private long _lastUsed = owner._timeProvider.GetTimestamp();

        public override TimeSpan? IdleDuration => owner._timeProvider.GetElapsedTime(Interlocked.Read(ref _lastUsed));

        public override RateLimiterStatistics? GetStatistics() => null;

        /// <summary>The decision needs a Redis round trip: a synchronous attempt is sent on to <see cref="AcquireAsyncCore"/>.</summary>
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => SiteLimitLease.Undecided;

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            Interlocked.Exchange(ref _lastUsed, owner._timeProvider.GetTimestamp());
            if (permitCount == 0)
            {
                return SiteLimitLease.Acquired;
            }

            try
            {
                return await owner._site.AcquireAsync(client, limits);
            }
            catch (RedisBusyException ex)
            {
                // An operator's call is not shed for a busy Redis: this proxy's own bucket decides.
                return owner._site.FallBack(ex);
            }
        }
    }
}

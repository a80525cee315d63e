using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>
/// The gate's limits on joins (requests of visitors without admission at gated routes), site-wide through
/// <see cref="SiteRateLimiter"/>: every join counts per address and per network; a join that makes a new visitor (no
/// valid <c>wr_vid</c>, so a new place) also counts against the stricter new-place limits, per address and per network.
/// A known visitor's repeated join keeps its place, so it is bounded as a request only.
/// </summary>
internal sealed class JoinLimiter : IDisposable
{
    public const string JoinPolicy = "join";
    public const string NewPlacePolicy = "new-place";

    private readonly SiteRateLimiter _site;
    private readonly SiteLimit[] _known;
    private readonly SiteLimit[] _new;

    public JoinLimiter(SiteRateLimiter site, IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _site = site;
        _known =
        [
            new SiteLimit(JoinPolicy, LimitScope.Address, o.JoinPerSecond, o.JoinBurst),
            new SiteLimit(JoinPolicy, LimitScope.Network, o.JoinPerNetworkPerSecond, o.JoinNetworkBurst),
        ];
        _new =
        [
            .. _known,
            new SiteLimit(NewPlacePolicy, LimitScope.Address, o.NewPlacePerSecond, o.NewPlaceBurst),
            new SiteLimit(NewPlacePolicy, LimitScope.Network, o.NewPlacePerNetworkPerSecond, o.NewPlaceNetworkBurst),
        ];
    }

    /// <summary>
    /// Takes one join permit (and a new-place permit when <paramref name="newVisitor"/>); on refusal the lease names the
    /// limit and carries Retry-After. The caller disposes the lease.
    /// </summary>
    public ValueTask<SiteLimitLease> TryJoinAsync(HttpContext context, bool newVisitor) =>
        _site.AcquireAsync(_site.Client(context), newVisitor ? _new : _known);

    public void Dispose()
    {
        foreach (var limit in _new)
        {
            limit.Dispose();
        }
    }
}

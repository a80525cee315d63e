using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Limits;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// What stands before every <c>/_wr/</c> endpoint, whatever the gateway's own middleware is: the security headers on the
/// answer, the client's rate limit (<c>visitor</c> per address on this instance, <c>admin</c> site-wide through
/// <see cref="AdminLimiter"/>), and for the admin API the key (<see cref="AdminKey"/>). It wraps each endpoint's request
/// delegate (<see cref="Wrap"/>), so it runs after routing chose the endpoint and before the endpoint binds its
/// parameters: an unauthorised or over-limit request is never read. ASP.NET Core's rate-limiting middleware is not used
/// for this: its options (rejection status, <c>OnRejected</c>) belong to the gateway that embeds the waiting room.
/// </summary>
internal sealed class EndpointGuard : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _visitor;
    private readonly PartitionedRateLimiter<HttpContext> _admin;
    private readonly AdminKey _adminKey;
    private readonly GateMetrics _metrics;

    public EndpointGuard(AdminLimiter adminLimiter, AdminKey adminKey, IOptions<RateLimitOptions> options, GateMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(adminLimiter);
        ArgumentNullException.ThrowIfNull(adminKey);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        var limits = options.Value;
        _visitor = ClientRateLimiting.VisitorLimiter(limits);
        _admin = PartitionedRateLimiter.Create<HttpContext, ClientNetwork>(adminLimiter.Partition);
        _adminKey = adminKey;
        _metrics = metrics;
    }

    /// <summary>Which guard an endpoint stands behind.</summary>
    public enum Kind
    {
        /// <summary>The visitor endpoints: ticket status, entry.</summary>
        Visitor,

        /// <summary>The admin API: its own limit, and the key.</summary>
        Admin,
    }

    /// <summary>The endpoint's request delegate behind the guard of <paramref name="kind"/> (built once per endpoint).</summary>
    public RequestDelegate Wrap(RequestDelegate endpoint, Kind kind)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (kind == Kind.Visitor)
        {
            Action rejected = () => _metrics.RateLimited(ClientRateLimiting.VisitorPolicy);
            return context => GuardedEndpoints.RunLimitedAsync(context, _visitor, rejected, endpoint);
        }

        Action adminRejected = () => _metrics.RateLimited(AdminApi.RateLimitPolicy);
        RequestDelegate withKey = async context =>
        {
            if (await _adminKey.CheckAsync(context))
            {
                await endpoint(context);
            }
        };
        return context => GuardedEndpoints.RunLimitedAsync(context, _admin, adminRejected, withKey);
    }

    public void Dispose()
    {
        _visitor.Dispose();
        _admin.Dispose();
    }
}

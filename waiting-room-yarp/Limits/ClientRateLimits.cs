using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>
/// The per-client limits. Joins and admin calls are limited for the whole site (buckets in Redis, shared by every
/// proxy; see <see cref="SiteRateLimiter"/>), per client address and, for joins, per network; the visitor endpoints per
/// address on each instance (the <c>visitor</c> policy, shared with the hubs). The <c>/_wr/</c> endpoints are limited
/// by <see cref="Endpoints.EndpointGuard"/> (<c>visitor</c>, and <c>admin</c> through <see cref="AdminLimiter"/>), not by
/// ASP.NET Core's rate-limiting middleware, whose options are the embedding gateway's own; the gate, which runs inside
/// YARP's pipeline and must limit only joins, not admitted traffic, asks <see cref="JoinLimiter.TryJoinAsync"/>. The
/// address is the client's as nginx reported it (ForwardedHeaders trusts only configured proxies). Refusals are 429 with Retry-After and a problem body, a metric and nothing lost: a join is
/// idempotent.
/// </summary>
internal static class ClientRateLimits
{
    public static void AddClientRateLimits(this IServiceCollection services)
    {
        services.AddSingleton(new RateLimitKeys());
        services.AddSingleton<RateLimitStore>();
        services.AddSingleton<SiteRateLimiter>();
        services.AddSingleton<JoinLimiter>();
        services.AddSingleton<AdminLimiter>();
    }
}

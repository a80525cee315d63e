using Microsoft.Extensions.Options;
using System.Net;
using System.Threading.RateLimiting;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.ServiceDefaults.RateLimiting;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>
/// The per-address limits. Endpoints use the ASP.NET Core rate-limiting policies registered here (<c>visitor</c>, shared
/// with the hubs, and <c>admin</c>); the gate, which runs inside YARP's pipeline and must limit only joins, not admitted
/// traffic, asks <see cref="JoinLimiter.TryJoin"/>. The address is the client's as nginx reported it (ForwardedHeaders
/// trusts only configured proxies). Refusals are 429 with Retry-After and a problem body, a metric and nothing lost: a
/// join is idempotent.
/// </summary>
public static class ClientRateLimits
{
    public const string VisitorPolicy = ClientRateLimiting.VisitorPolicy;

    public static void AddClientRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JoinLimiter>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddVisitorPolicy();
            limiter.AddPolicy(Endpoints.AdminApi.RateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return ClientRateLimiting.PerAddress(context, options.AdminPerSecond, options.AdminBurst);
            });
            limiter.RejectWithProblem(static (context, policy) => context.RequestServices.GetRequiredService<GateMetrics>().RateLimited(policy));
        });
    }

    internal static Task WriteTooManyAsync(HttpContext context, RateLimitLease lease, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        return ClientRateLimiting.WriteTooManyAsync(context, lease);
    }
}

/// <summary>The gate's per-address join limit.</summary>
public sealed class JoinLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(
        context => RateLimitPartition.GetTokenBucketLimiter(
            ClientRateLimiting.ClientAddress(context), _ => ClientRateLimiting.Bucket(options.Value.JoinPerSecond, options.Value.JoinBurst)));

    /// <summary>Takes one join permit; on refusal the lease carries Retry-After. The caller disposes the lease.</summary>
    public RateLimitLease TryJoin(HttpContext context) => _limiter.AttemptAcquire(context);

    public void Dispose() => _limiter.Dispose();
}

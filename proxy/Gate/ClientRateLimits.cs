using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using YarpWaitingRoom.Proxy.Diagnostics;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>Bound from <c>WaitingRoom:RateLimits</c>: per-client-address token buckets.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "WaitingRoom:RateLimits";

    /// <summary>Joins (requests of visitors without admission at gated routes) per second per address.</summary>
    [Range(1, 1_000_000)]
    public int JoinPerSecond { get; set; } = 20;

    /// <summary>Join burst per address (many visitors may share one address behind a NAT).</summary>
    [Range(1, 1_000_000)]
    public int JoinBurst { get; set; } = 100;

    /// <summary>Entry, ticket-status and waiting-page calls per second per address.</summary>
    [Range(1, 1_000_000)]
    public int VisitorPerSecond { get; set; } = 20;

    [Range(1, 1_000_000)]
    public int VisitorBurst { get; set; } = 100;

    /// <summary>Admin calls per second per address.</summary>
    [Range(1, 1_000_000)]
    public int AdminPerSecond { get; set; } = 5;

    [Range(1, 1_000_000)]
    public int AdminBurst { get; set; } = 30;
}

/// <summary>
/// The per-address limits. Endpoints use the ASP.NET Core rate-limiting policies registered here (<c>visitor</c>,
/// <c>admin</c>); the gate, which runs inside YARP's pipeline and must limit only joins, not admitted traffic, asks
/// <see cref="JoinLimiter.TryJoin"/>. The address is the client's as nginx reported it (ForwardedHeaders trusts only configured proxies).
/// Refusals are 429 with Retry-After and a problem body, a metric and nothing lost: a join is idempotent.
/// </summary>
public static class ClientRateLimits
{
    public const string VisitorPolicy = "visitor";

    public static void AddClientRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JoinLimiter>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(VisitorPolicy, context =>
            {
                var options = Options(context);
                return Partition(context, options.VisitorPerSecond, options.VisitorBurst);
            });
            limiter.AddPolicy(Endpoints.AdminApi.RateLimitPolicy, context =>
            {
                var options = Options(context);
                return Partition(context, options.AdminPerSecond, options.AdminBurst);
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var policy = rejected.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "unknown";
                rejected.HttpContext.RequestServices.GetRequiredService<GateMetrics>().RateLimited(policy);
                await WriteTooManyAsync(rejected.HttpContext, rejected.Lease, cancellationToken);
            };
        });
    }

    internal static async Task WriteTooManyAsync(HttpContext context, RateLimitLease lease, CancellationToken cancellationToken)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"Too many requests from your address. Retry after {retryAfter} s; your place in the queue is kept.",
            type: "urn:yarp-waiting-room:problem:rate-limited").ExecuteAsync(context);
        _ = cancellationToken;
    }

    private static RateLimitOptions Options(HttpContext context) =>
        context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;

    internal static IPAddress ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress ?? IPAddress.None;

    private static RateLimitPartition<IPAddress> Partition(HttpContext context, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(ClientAddress(context), _ => Bucket(perSecond, burst));

    internal static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>The gate's per-address join limit.</summary>
public sealed class JoinLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(
        context => RateLimitPartition.GetTokenBucketLimiter(
            ClientRateLimits.ClientAddress(context), _ => ClientRateLimits.Bucket(options.Value.JoinPerSecond, options.Value.JoinBurst)));

    /// <summary>Takes one join permit; on refusal the lease carries Retry-After. The caller disposes the lease.</summary>
    public RateLimitLease TryJoin(HttpContext context) => _limiter.AttemptAcquire(context);

    public void Dispose() => _limiter.Dispose();
}

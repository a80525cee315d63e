using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>
/// Bound from <c>WaitingRoom:RateLimits</c>. Joins and admin calls are limited for the whole site (buckets in Redis,
/// shared by every proxy; see <see cref="SiteRateLimiter"/>), per client address and, for joins, per network; the
/// visitor endpoints per address on each instance.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "WaitingRoom:RateLimits";

    /// <summary>Joins (requests of visitors without admission at gated routes) per second per address.</summary>
    [Range(1, 1_000_000)]
    public int JoinPerSecond { get; set; } = 20;

    /// <summary>Join burst per address (many visitors may share one address behind a NAT).</summary>
    [Range(1, 1_000_000)]
    public int JoinBurst { get; set; } = 100;

    /// <summary>Joins per second per network (<see cref="IPv4NetworkPrefix"/>, <see cref="IPv6NetworkPrefix"/>).</summary>
    [Range(1, 1_000_000)]
    public int JoinPerNetworkPerSecond { get; set; } = 200;

    /// <summary>Join burst per network: a carrier NAT puts many people in one /24.</summary>
    [Range(1, 1_000_000)]
    public int JoinNetworkBurst { get; set; } = 1000;

    /// <summary>
    /// Joins that make a new visitor (no valid <c>wr_vid</c> cookie: a new visitor id, so a new place) per second per
    /// address; also bounded by the join limits. A known visitor's repeated join keeps its place and costs none of these.
    /// </summary>
    [Range(1, 1_000_000)]
    public int NewPlacePerSecond { get; set; } = 5;

    [Range(1, 1_000_000)]
    public int NewPlaceBurst { get; set; } = 50;

    /// <summary>New visitors per second per network.</summary>
    [Range(1, 1_000_000)]
    public int NewPlacePerNetworkPerSecond { get; set; } = 50;

    [Range(1, 1_000_000)]
    public int NewPlaceNetworkBurst { get; set; } = 500;

    /// <summary>Prefix length of an IPv4 client's network.</summary>
    [Range(8, 32)]
    public int IPv4NetworkPrefix { get; set; } = 24;

    /// <summary>Prefix length of an IPv6 client's network (a /64 is one subscriber's, and one host may rotate through it).</summary>
    [Range(16, 128)]
    public int IPv6NetworkPrefix { get; set; } = 64;

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
/// The per-client limits. Endpoints use the ASP.NET Core rate-limiting policies registered here (<c>visitor</c> per
/// instance, <c>admin</c> site-wide through <see cref="AdminLimiter"/>); the gate, which runs inside YARP's pipeline and
/// must limit only joins, not admitted traffic, asks <see cref="JoinLimiter.TryJoinAsync"/>. The address is the client's as nginx reported it (ForwardedHeaders trusts only configured proxies).
/// Refusals are 429 with Retry-After and a problem body, a metric and nothing lost: a join is idempotent.
/// </summary>
public static class ClientRateLimits
{
    public const string VisitorPolicy = "visitor";

    public static void AddClientRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(new RateLimitKeys());
        services.AddSingleton<RateLimitStore>();
        services.AddSingleton<SiteRateLimiter>();
        services.AddSingleton<JoinLimiter>();
        services.AddSingleton<AdminLimiter>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(VisitorPolicy, context =>
            {
                var options = Options(context);
                return Partition(context, options.VisitorPerSecond, options.VisitorBurst);
            });
            limiter.AddPolicy(Endpoints.AdminApi.RateLimitPolicy, context => context.RequestServices.GetRequiredService<AdminLimiter>().Partition(context));
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

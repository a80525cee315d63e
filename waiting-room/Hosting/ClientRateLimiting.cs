using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// The per-address limits that proxies and hubs share: token buckets partitioned by the client's address (as nginx
/// reported it: see <see cref="TrustedProxies"/>), the <c>visitor</c> policy, and the one way a refusal is
/// answered: <c>429</c> with <c>Retry-After</c> and the problem <c>urn:yarp-waiting-room:problem:rate-limited</c>.
/// Nothing is lost by a refusal: joins are idempotent and a place in the queue does not depend on any one request.
/// </summary>
internal static class ClientRateLimiting
{
    /// <summary>The visitor endpoints: ticket status and entry (proxies), the waiting page and <c>/ws</c> (hubs).</summary>
    public const string VisitorPolicy = "visitor";

    public const string ProblemType = ProblemTypes.RateLimited;

    private static readonly TimeSpan ReplenishmentPeriod = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The <see cref="VisitorPolicy"/> as a limiter of its own, for endpoints that guard themselves rather than rely on the
    /// host's rate-limiting middleware (whose options belong to the application that embeds the waiting room).
    /// </summary>
    public static PartitionedRateLimiter<HttpContext> VisitorLimiter(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PartitionedRateLimiter.Create<HttpContext, IPAddress>(context => PerAddress(context, options.VisitorPerSecond, options.VisitorBurst));
    }

    /// <summary>A token bucket of <paramref name="burst"/> tokens refilled by <paramref name="perSecond"/> a second, per client address.</summary>
    public static RateLimitPartition<IPAddress> PerAddress(HttpContext context, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(ClientAddress(context), _ => Bucket(perSecond, burst));

    public static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = ReplenishmentPeriod,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>The client's address: the connection's, which the forwarded-headers middleware set from a trusted proxy's <c>X-Forwarded-For</c>.</summary>
    public static IPAddress ClientAddress(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress ?? IPAddress.None;
    }

    /// <summary><c>429</c>, <c>Retry-After</c> (whole seconds, at least 1) from the lease, and the rate-limited problem.</summary>
    public static async Task WriteTooManyAsync(HttpContext context, RateLimitLease lease)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(lease);
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"Too many requests from your address. Retry after {retryAfter} s; your place in the queue is kept.",
            type: ProblemType).ExecuteAsync(context);
    }
}

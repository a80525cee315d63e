using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Hub.Diagnostics;

namespace YarpWaitingRoom.Hub.Endpoints;

/// <summary>
/// What stands before the hub's endpoints, whatever the site's own middleware is: the security headers on the answer and
/// the proxies' <c>visitor</c> limit per client address (429 before a WebSocket upgrade). It wraps each endpoint's request
/// delegate, so the site's own rate-limiting options are left as they are.
/// </summary>
internal sealed class HubGuard : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _visitor;
    private readonly Action _rejected;

    public HubGuard(IOptions<RateLimitOptions> options, HubMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        _visitor = ClientRateLimiting.VisitorLimiter(options.Value);
        _rejected = () => metrics.Refused("rate-limited");
    }

    /// <summary>The endpoint's request delegate behind the guard.</summary>
    public RequestDelegate Wrap(RequestDelegate endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return context => GuardedEndpoints.RunLimitedAsync(context, _visitor, _rejected, endpoint);
    }

    /// <summary>
    /// The WebSocket's request delegate behind the same guard, with no frame of its own kept while the socket is open: the
    /// visitor limit queues nothing (QueueLimit 0), so a synchronous attempt gives the answer an asynchronous one would,
    /// and a token bucket's permit is spent once taken (disposing it returns nothing).
    /// </summary>
    public RequestDelegate WrapSocket(RequestDelegate socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return context =>
        {
            SecurityHeaders.AddTo(context.Response.Headers);
            var lease = _visitor.AttemptAcquire(context);
            if (!lease.IsAcquired)
            {
                return RejectAsync(context, lease);
            }

            lease.Dispose();
            return socket(context);
        };
    }

    public void Dispose() => _visitor.Dispose();

    private async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        using (lease)
        {
            _rejected();
            await ClientRateLimiting.WriteTooManyAsync(context, lease);
        }
    }
}

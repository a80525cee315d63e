using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Hub.Extensions;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// At most <see cref="SocketHubOptions.MaxSocketsPerAddress"/> open sockets per client address in this hub: a permit is
/// taken before the upgrade and held for the socket's life.
/// </summary>
internal sealed class SocketAddressLimiter(IOptions<SocketHubOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(
        context => RateLimitPartition.GetConcurrencyLimiter(
            ClientRateLimiting.ClientAddress(context),
            _ => new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxSocketsPerAddress, QueueLimit = 0 }));

    /// <summary>One socket's permit (check <see cref="RateLimitLease.IsAcquired"/>); dispose it when the socket ends.</summary>
    public RateLimitLease TryOpen(HttpContext context) => _limiter.AttemptAcquire(context);

    public void Dispose() => _limiter.Dispose();
}

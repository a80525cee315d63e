using YarpWaitingRoom.Hosting;
using System.Threading.RateLimiting;
using StackExchange.Redis;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>
/// One limit of <see cref="SiteRateLimiter"/>: a policy (<c>join</c>, <c>new-place</c>, <c>admin</c>) counted per address
/// or per network, with its rate and burst. It has a site-wide bucket per client in Redis and, as a first line, an
/// in-process token bucket per client with the same numbers, which refuses a flood without asking Redis and is the
/// only bound while Redis is out of reach.
/// </summary>
internal sealed class SiteLimit : IDisposable
{
    private readonly PartitionedRateLimiter<string> _local;

    public SiteLimit(string policy, LimitScope scope, int perSecond, int burst)
    {
        ArgumentException.ThrowIfNullOrEmpty(policy);
        Policy = policy;
        Scope = scope;
        PerSecond = perSecond;
        Burst = burst;
        _local = PartitionedRateLimiter.Create<string, string>(
            subject => RateLimitPartition.GetTokenBucketLimiter(subject, _ => ClientRateLimiting.Bucket(perSecond, burst)),
            StringComparer.Ordinal);
    }

    public string Policy { get; }

    public LimitScope Scope { get; }

    public int PerSecond { get; }

    public int Burst { get; }

    /// <summary>Takes a permit from this instance's bucket for the client; a refusal carries Retry-After.</summary>
    public RateLimitLease TryLocal(ClientNetwork client) => _local.AttemptAcquire(Subject(client));

    /// <summary>The client's site-wide bucket.</summary>
    public RateBucket Bucket(RateLimitKeys keys, ClientNetwork client)
    {
        ArgumentNullException.ThrowIfNull(keys);
        RedisKey key = Scope == LimitScope.Address ? keys.Address(Policy, client) : keys.Network(Policy, client);
        return new RateBucket(key, PerSecond, Burst);
    }

    private string Subject(ClientNetwork client) => Scope == LimitScope.Address ? client.Address : client.Network;

    public void Dispose() => _local.Dispose();
}

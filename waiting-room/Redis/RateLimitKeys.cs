using StackExchange.Redis;
using YarpWaitingRoom.Limits;

namespace YarpWaitingRoom.Redis;

/// <summary>
/// The keys of the site-wide rate limits (<see cref="RateLimitStore"/>): one string per bucket,
/// <c>wr:limit:{&lt;network&gt;}:&lt;policy&gt;</c> for a network's bucket and
/// <c>wr:limit:{&lt;network&gt;}:&lt;policy&gt;:&lt;address&gt;</c> for an address's. Every key of one client carries the hash
/// tag of its network, so the limit script may take from the address's and the network's buckets at once in Redis
/// Cluster; different networks spread over the cluster.
/// </summary>
internal sealed class RateLimitKeys
{
    /// <summary>The prefix of every limit key.</summary>
    public const string DefaultPrefix = "wr:limit:";

    private readonly string _prefix;

    public RateLimitKeys(string prefix = DefaultPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException("A limit key prefix may not contain '{' or '}' (the network is the hash tag).", nameof(prefix));
        }

        _prefix = prefix;
    }

    /// <summary>The bucket of one address under <paramref name="policy"/> (e.g. <c>join</c>, <c>admin</c>).</summary>
    public RedisKey Address(string policy, ClientNetwork client) => _prefix + "{" + client.Network + "}:" + policy + ":" + client.Address;

    /// <summary>The bucket shared by every address of the client's network under <paramref name="policy"/>.</summary>
    public RedisKey Network(string policy, ClientNetwork client) => _prefix + "{" + client.Network + "}:" + policy;
}

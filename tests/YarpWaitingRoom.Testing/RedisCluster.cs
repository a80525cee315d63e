using System.Globalization;
using StackExchange.Redis;

namespace YarpWaitingRoom.Testing;

/// <summary>
/// A throwaway Redis Cluster of <see cref="Masters"/> primaries (no replicas), each a <c>redis-server</c> on a free loopback
/// port started with <c>cluster-enabled yes</c>, joined and given every slot by <c>redis-cli --cluster create</c>.
/// Disposing stops every node and deletes their directories.
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly List<RedisServer> _nodes;

    private RedisCluster(List<RedisServer> nodes) => _nodes = nodes;

    public int Masters => _nodes.Count;

    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>StackExchange.Redis configuration string naming every node (the client discovers the slot map from any).</summary>
    public string ConnectionString =>
        string.Join(',', _nodes.Select(node => "127.0.0.1:" + node.Port.ToString(CultureInfo.InvariantCulture))) + ",abortConnect=false";

    public static async Task<RedisCluster> StartAsync(int masters, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(masters, 3);
        var nodes = new List<RedisServer>(masters);
        var cluster = new RedisCluster(nodes);
        try
        {
            for (var i = 0; i < masters; i++)
            {
                nodes.Add(await RedisServer.StartClusterNodeAsync(cancellationToken).ConfigureAwait(false));
            }

            var create = await ExternalProcess.RunAsync(
                ToolPaths.RedisCli,
                ["--cluster", "create", .. nodes.Select(node => "127.0.0.1:" + node.Port.ToString(CultureInfo.InvariantCulture)), "--cluster-replicas", "0", "--cluster-yes"],
                CommandTimeout,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            await cluster.WaitUntilReadyAsync(create.Output, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A new multiplexer for the cluster; the caller disposes it.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Every node reports <c>cluster_state:ok</c> with all 16,384 slots assigned (gossip takes a moment).</summary>
    private async Task WaitUntilReadyAsync(string createOutput, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + CommandTimeout;
        var last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            var ready = true;
            foreach (var node in _nodes)
            {
                var info = await ExternalProcess.RunAsync(
                    ToolPaths.RedisCli, ["-p", node.Port.ToString(CultureInfo.InvariantCulture), "cluster", "info"], CommandTimeout, cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                last = info.Output;
                if (!info.Output.Contains("cluster_state:ok", StringComparison.Ordinal)
                    || !info.Output.Contains("cluster_slots_assigned:16384", StringComparison.Ordinal)
                    || !info.Output.Contains("cluster_known_nodes:" + Masters.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
                {
                    ready = false;
                    break;
                }
            }

            if (ready)
            {
                return;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"The cluster did not become ready.{Environment.NewLine}{createOutput}{Environment.NewLine}{last}");
    }
}

using System.Globalization;
using StackExchange.Redis;

namespace YarpWaitingRoom.Testing;

/// <summary>
/// One Redis per test assembly (<c>[assembly: AssemblyFixture(typeof(RedisFixture))]</c>). Tests isolate by room name.
/// A single redis-server, or, with <see cref="ClusterVariable"/> set to the number of masters (3 or more), a real Redis
/// Cluster (<see cref="RedisCluster"/>): <c>./stack test</c> runs the Redis integration suites both ways, so every room's
/// keys, scripts and sharded channels are exercised on whichever master their slot lands.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    /// <summary>The environment variable that turns the fixture into a cluster of that many masters.</summary>
    public const string ClusterVariable = "YWR_TEST_REDIS_CLUSTER";

    private RedisServer? _server;
    private RedisCluster? _cluster;

    /// <summary>Whether this run's Redis is a cluster.</summary>
    public bool IsCluster => _cluster is not null;

    /// <summary>StackExchange.Redis configuration string for this assembly's Redis.</summary>
    public string ConnectionString =>
        _cluster?.ConnectionString ?? _server?.ConnectionString ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async ValueTask InitializeAsync()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable(ClusterVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var masters) && masters > 0)
        {
            _cluster = await RedisCluster.StartAsync(masters).ConfigureAwait(false);
        }
        else
        {
            _server = await RedisServer.StartAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A new multiplexer for this assembly's Redis; the caller disposes it.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Redis;

/// <summary>
/// The harness's Redis Cluster is a real one (three masters from Debian's redis-server, every slot assigned), and the
/// queue works on it for rooms whose slots land on different masters: the cluster pass of <c>./stack test</c> runs the
/// Redis integration suites on such a cluster (<see cref="RedisFixture.ClusterVariable"/>).
/// </summary>
public sealed class RedisClusterTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThreeMasterCluster_RoomsOnDifferentMasters_EachJoinAndAdmitInOrder()
    {
        await using var cluster = await RedisCluster.StartAsync(3, Cancellation);
        await using var connection = await cluster.ConnectAsync();
        var primaries = connection.GetServers().Where(server => !server.IsReplica).Select(server => server.EndPoint).ToList();
        Assert.Equal(3, primaries.Count);

        var (first, second) = TwoRoomsOnDifferentMasters(connection);
        foreach (var room in new[] { first, second })
        {
            var options = new RoomOptions { MaxActive = 1 };
            var sut = new QueueStore(connection, room, options, TimeProvider.System);
            var a = await sut.JoinAsync("visitor-a", queueOff: false);
            var b = await sut.JoinAsync("visitor-b", queueOff: false);

            var batch = await sut.AdmitAsync(fence: 1);

            Assert.Equal([a.Ticket], batch.Tickets);
            var status = await sut.GetStatusAsync(b.Ticket);
            Assert.Equal((TicketState.Waiting, 1L), (status.State, status.Position));
        }

        var db = connection.GetDatabase();
        Assert.NotEqual(
            await db.IdentifyEndpointAsync(new RedisKeysFor(first).Waiting),
            await db.IdentifyEndpointAsync(new RedisKeysFor(second).Waiting));
    }

    /// <summary>Two fresh room names whose keys (one hash tag per room) live on different masters.</summary>
    private static (string First, string Second) TwoRoomsOnDifferentMasters(ConnectionMultiplexer connection)
    {
        var db = connection.GetDatabase();
        var first = "r" + Guid.NewGuid().ToString("N")[..10];
        var firstMaster = db.IdentifyEndpoint(new RedisKeysFor(first).Waiting);
        while (true)
        {
            var second = "r" + Guid.NewGuid().ToString("N")[..10];
            if (!Equals(db.IdentifyEndpoint(new RedisKeysFor(second).Waiting), firstMaster))
            {
                return (first, second);
            }
        }
    }

    private sealed class RedisKeysFor(string room)
    {
        public RedisKey Waiting { get; } = new YarpWaitingRoom.Redis.RedisKeys(room).Waiting;
    }
}

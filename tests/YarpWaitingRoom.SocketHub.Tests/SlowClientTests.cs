using System.Net.WebSockets;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>A client that stops reading: its own queue fills, it is cut off, and nobody else waits for it.</summary>
public sealed class SlowClientTests(RedisFixture redis) : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async ValueTask InitializeAsync() => _redis = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task ClientThatStopsReading_OverflowsOnlyItsOwnQueue_AndIsCutOff_WhileAFastClientGetsEverything()
    {
        var options = new RoomOptions();
        var queue = new QueueStore(_redis, "slow-" + Guid.NewGuid().ToString("N")[..6], options, TimeProvider.System);
        using var deadlines = new SendDeadlines(Microsoft.Extensions.Options.Options.Create(new SocketHubOptions()), TimeProvider.System);
        var room = new RoomContext(queue.Keys.Room, options, queue, new SwitchStore(_redis, queue.Keys, options));
        using var slowSocket = InMemorySockets.Server(readByClient: false, out _, out var slowConnection);
        using var fastSocket = InMemorySockets.Server(readByClient: true, out var fastReceived);
        var slow = new HubSession(room, "t-slow", "v-slow", isOwner: true, slowSocket, queueCapacity: 4, deadlines, connection: slowConnection);
        // Room for every message: what is tested is that the slow client never holds it up, not how fast this machine is.
        var fast = new HubSession(room, "t-fast", "v-fast", isOwner: true, fastSocket, queueCapacity: 256, deadlines);

        var message = HubMessages.Position(42, 10, queueOn: true);
        var slowAccepted = 0;
        for (var i = 0; i < 200; i++)
        {
            slowAccepted += slow.Enqueue(message) ? 1 : 0;
            Assert.True(fast.Enqueue(message), "the fast client must never be held up");
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        Assert.True(slow.Overflowed);
        Assert.InRange(slowAccepted, 4, 60);
        Assert.Equal(WebSocketState.Aborted, slowSocket.State);
        // The overflow aborts the connection too: the send that was blocked then ends at once, not at its deadline.
        Assert.True(slowConnection.RequestAborted.IsCancellationRequested);
        await slow.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        await fast.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(fast.Overflowed);
        Assert.True(await WaitForAsync(() => Volatile.Read(ref fastReceived.Value) >= 200 * message.Length));
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return condition();
    }
}

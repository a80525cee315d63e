using System.Net.WebSockets;
using System.Text;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// One session's sends without a send loop: whoever finds the socket idle sends, later messages queue behind it, the
/// close frame goes last, and a send stuck past SendTimeout is aborted by the shared timing wheel.
/// </summary>
public sealed class HubSessionTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly SendDeadlines _deadlines = new(Microsoft.Extensions.Options.Options.Create(new SocketHubOptions()), TimeProvider.System);

    // The sessions here never touch their room's stores.
    private readonly RoomContext _room = new("r", new RoomOptions(), null!, null!);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _deadlines.Dispose();

    [Fact]
    public async Task CloseAfterSending_SendsEveryQueuedMessageInOrder_ThenTheCloseFrame()
    {
        var (server, client) = InMemorySockets.Pair();
        using var _ = server;
        using var __ = client;
        var sut = new HubSession(_room, "t", "v", isOwner: true, server, queueCapacity: 100, _deadlines);

        // 50 messages of ~40 bytes: more than the 1 KiB pipe holds, so later ones queue behind a send in flight.
        for (var i = 0; i < 50; i++)
        {
            Assert.True(sut.Enqueue(Encoding.UTF8.GetBytes($"{{\"type\":\"gone\",\"reason\":\"{i}\"}}")));
        }

        sut.CloseAfterSending(HubCloseCodes.Replaced, HubCloseCodes.ReplacedDescription);
        Assert.False(sut.Enqueue(Encoding.UTF8.GetBytes("too late")), "a closing session takes no more messages");

        var received = new List<string>();
        var buffer = new byte[256];
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, Cancellation).WaitAsync(Deadline, Cancellation);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            received.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{{\"type\":\"gone\",\"reason\":\"{i}\"}}"), received);
        Assert.Equal(HubCloseCodes.Replaced, client.CloseStatus);
        await sut.CompleteAsync().WaitAsync(Deadline, Cancellation);
    }

    [Fact]
    public async Task SendStuckPastSendTimeout_IsAbortedWhenItsSlotExpires_AndTheSessionLetsGo()
    {
        using var stuckSocket = InMemorySockets.Server(readByClient: false, out _, out var stuckConnection);
        using var idleSocket = InMemorySockets.Server(readByClient: true, out var idleReceived);
        var stuck = new HubSession(_room, "t-stuck", "v", isOwner: true, stuckSocket, queueCapacity: 1000, _deadlines, connection: stuckConnection);
        var idle = new HubSession(_room, "t-idle", "v", isOwner: true, idleSocket, queueCapacity: 1000, _deadlines);
        var message = HubMessages.Position(42, 10, queueOn: true);

        // The stuck client never reads: after 1 KiB its sends block, and the rest queue.
        for (var i = 0; i < 100; i++)
        {
            Assert.True(stuck.Enqueue(message));
        }

        Assert.True(idle.Enqueue(message));
        Assert.True(await EventuallyAsync(() => Volatile.Read(ref idleReceived.Value) == message.Length + 2));
        var sending = stuck.CompleteAsync();

        // Less than a whole SendTimeout of slots has passed: nothing is aborted.
        for (var slot = 0; slot < SendDeadlines.SlotsPerTimeout; slot++)
        {
            Assert.False(_deadlines.Advance());
        }

        Assert.False(sending.IsCompleted);
        Assert.Equal(WebSocketState.Open, stuckSocket.State);

        // The slot the stuck send started in expires: its socket is aborted, the idle one is untouched.
        Assert.True(_deadlines.Advance());
        await sending.WaitAsync(Deadline, Cancellation);
        Assert.Equal(WebSocketState.Aborted, stuckSocket.State);
        Assert.True(stuckConnection.RequestAborted.IsCancellationRequested, "the stuck socket's connection is aborted with it");
        Assert.Equal(WebSocketState.Open, idleSocket.State);
        Assert.False(stuck.Enqueue(message), "an aborted session takes no more messages");
        Assert.True(idle.Enqueue(message));
    }

    [Fact]
    public async Task IdleSocket_TakesTheMessageOnTheCallersTurn_AndLeavesNoSendInFlight()
    {
        using var socket = InMemorySockets.Server(readByClient: true, out var received);
        var sut = new HubSession(_room, "t", "v", isOwner: true, socket, queueCapacity: 1, _deadlines);
        var message = HubMessages.Position(1, null, queueOn: false);

        Assert.True(sut.Enqueue(message));

        Assert.True(sut.CompleteAsync().IsCompleted, "the socket took the bytes at once: nothing is left to send");
        Assert.True(await EventuallyAsync(() => Volatile.Read(ref received.Value) == message.Length + 2));
        Assert.False(sut.Overflowed);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, Cancellation);
        }

        return condition();
    }
}

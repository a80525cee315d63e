using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
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
        var room = new RoomContext(queue.Keys.Room, options, queue, new SwitchStore(_redis, queue.Keys, options));
        using var slowSocket = ServerSocketOver(readByClient: false, out _);
        using var fastSocket = ServerSocketOver(readByClient: true, out var fastReceived);
        var slow = new HubSession(room, "t-slow", "v-slow", isOwner: true, slowSocket, queueCapacity: 4);
        // Room for every message: what is tested is that the slow client never holds it up, not how fast this machine is.
        var fast = new HubSession(room, "t-fast", "v-fast", isOwner: true, fastSocket, queueCapacity: 256);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var slowLoop = slow.SendLoopAsync(TimeSpan.FromSeconds(1), _ => { }, stop.Token);
        var fastLoop = fast.SendLoopAsync(TimeSpan.FromSeconds(30), _ => { }, stop.Token);

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
        await slowLoop.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        fast.Complete();
        await fastLoop.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
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

    /// <summary>
    /// A server-side WebSocket over in-memory pipes. The pipe towards the client holds at most 1 KiB unread, like a
    /// full TCP window: when the client does not read, the server's sends block.
    /// </summary>
    private static WebSocket ServerSocketOver(bool readByClient, out StrongBox<long> received)
    {
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var fromClient = new Pipe();
        var counter = new StrongBox<long>(0);
        received = counter;
        if (readByClient)
        {
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    var read = await toClient.Reader.ReadAsync();
                    Interlocked.Add(ref counter.Value, read.Buffer.Length);
                    toClient.Reader.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted)
                    {
                        return;
                    }
                }
            });
        }

        return WebSocket.CreateFromStream(new DuplexStream(fromClient.Reader.AsStream(), toClient.Writer.AsStream()), isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
    }

    private sealed class DuplexStream(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => input.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => output.WriteAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                input.Dispose();
                output.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

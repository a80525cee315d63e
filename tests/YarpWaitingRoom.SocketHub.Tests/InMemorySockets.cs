using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// WebSockets over in-memory pipes. The pipe towards the client holds at most 1 KiB unread, like a full TCP window:
/// when the client does not read, the server's sends block.
/// </summary>
internal static class InMemorySockets
{
    /// <summary>A server socket whose client side either counts what arrives (<paramref name="readByClient"/>) or never reads.</summary>
    public static WebSocket Server(bool readByClient, out StrongBox<long> received) => Server(readByClient, out received, out _);

    /// <summary>
    /// The same, with its <paramref name="connection"/>: aborting it ends the pipes as a dropped TCP connection would, so
    /// a send stuck on a client that never reads ends.
    /// </summary>
    public static WebSocket Server(bool readByClient, out StrongBox<long> received, out IHttpRequestLifetimeFeature connection)
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

        connection = new Connection(toClient, fromClient);
        return WebSocket.CreateFromStream(new DuplexStream(fromClient.Reader.AsStream(), toClient.Writer.AsStream()), isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
    }

    /// <summary>A connected server and client pair.</summary>
    public static (WebSocket Server, WebSocket Client) Pair()
    {
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var fromClient = new Pipe();
        var server = WebSocket.CreateFromStream(new DuplexStream(fromClient.Reader.AsStream(), toClient.Writer.AsStream()), isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        var client = WebSocket.CreateFromStream(new DuplexStream(toClient.Reader.AsStream(), fromClient.Writer.AsStream()), isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        return (server, client);
    }

    /// <summary>The connection under a server socket: its abort completes the client's ends of both pipes.</summary>
    private sealed class Connection(Pipe toClient, Pipe fromClient) : IHttpRequestLifetimeFeature
    {
        private readonly CancellationTokenSource _aborted = new();

        public CancellationToken RequestAborted
        {
            get => _aborted.Token;
            set => throw new NotSupportedException();
        }

        public void Abort()
        {
            toClient.Reader.Complete();
            fromClient.Writer.Complete();
            _aborted.Cancel();
        }
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

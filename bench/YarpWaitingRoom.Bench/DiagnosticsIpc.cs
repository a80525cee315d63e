using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// A full, blocking garbage collection in another .NET process, through the runtime's diagnostics IPC socket
/// (<c>$TMPDIR/dotnet-diagnostic-&lt;pid&gt;-*-socket</c>): an EventPipe session that enables the runtime provider's
/// GCHeapCollect keyword makes the runtime collect (what <c>dotnet-gcdump</c> does), then the session is stopped.
/// Protocol: https://github.com/dotnet/diagnostics/blob/main/documentation/design-docs/ipc-protocol.md
/// </summary>
internal static class DiagnosticsIpc
{
    private const byte EventPipeCommandSet = 0x02;
    private const byte StopTracing = 0x01;
    private const byte CollectTracing2 = 0x03;
    private const byte ServerCommandSet = 0xFF;
    private const byte ServerOk = 0x00;
    private const ulong GcHeapCollectKeyword = 0x800000;
    private const uint InformationalLevel = 4;
    private const int HeaderBytes = 20;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("DOTNET_IPC_V1\0");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Induces a full GC in process <paramref name="pid"/>; false (with the reason) when it could not.</summary>
    public static async Task<(bool Done, string? Error)> InduceFullGcAsync(int pid, CancellationToken cancellationToken)
    {
        var socketPath = Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*-socket").FirstOrDefault();
        if (socketPath is null)
        {
            return (false, $"no diagnostics socket for process {pid} in {Path.GetTempPath()}");
        }

        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        expiry.CancelAfter(Timeout);
        var stage = "connect";
        try
        {
            using var session = await ConnectAsync(socketPath, expiry.Token);
            stage = "collect tracing";
            await session.SendAsync(Message(CollectTracing2, CollectTracingPayload()), expiry.Token);
            var sessionId = BinaryPrimitives.ReadUInt64LittleEndian(await ReadResponseAsync(session, expiry.Token));

            // The collection ran when the session was enabled. Drain the trace stream while stopping the session: the
            // runtime finishes writing it before it answers the stop.
            stage = "stop tracing";
            var drained = DrainAsync(session, expiry.Token);
            using (var stop = await ConnectAsync(socketPath, expiry.Token))
            {
                var payload = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(payload, sessionId);
                await stop.SendAsync(Message(StopTracing, payload), expiry.Token);
                await ReadResponseAsync(stop, expiry.Token);
            }

            stage = "drain";
            await drained;
            return (true, null);
        }
        catch (Exception ex) when ((ex is SocketException or IOException or InvalidDataException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return (false, $"{stage}: {ex.Message}");
        }
    }

    private static async Task DrainAsync(Socket session, CancellationToken cancellationToken)
    {
        var sink = new byte[16 * 1024];
        while (await session.ReceiveAsync(sink, cancellationToken) > 0)
        {
            // Discard the trace: headers and next to no events.
        }
    }

    private static async Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static byte[] Message(byte command, byte[] payload)
    {
        var message = new byte[HeaderBytes + payload.Length];
        Magic.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(14), (ushort)message.Length);
        message[16] = EventPipeCommandSet;
        message[17] = command;
        payload.CopyTo(message, HeaderBytes);
        return message;
    }

    /// <summary>CollectTracing2: circularBufferMB, format (1 = nettrace), no rundown, one provider: keywords, level, name, no filter.</summary>
    private static byte[] CollectTracingPayload()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(16u);
        writer.Write(1u);
        writer.Write(false);
        writer.Write(1u);
        writer.Write(GcHeapCollectKeyword);
        writer.Write(InformationalLevel);
        WriteString(writer, "Microsoft-Windows-DotNETRuntime");
        writer.Write(0u);
        writer.Flush();
        return stream.ToArray();
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        writer.Write((uint)(value.Length + 1));
        writer.Write(Encoding.Unicode.GetBytes(value + "\0"));
    }

    /// <summary>Reads one response; returns its payload when it is OK, else throws.</summary>
    private static async Task<byte[]> ReadResponseAsync(Socket socket, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderBytes];
        await ReadExactlyAsync(socket, header, cancellationToken);
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a diagnostics IPC response");
        }

        var payload = new byte[BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(14)) - HeaderBytes];
        await ReadExactlyAsync(socket, payload, cancellationToken);
        if (header[16] != ServerCommandSet || header[17] != ServerOk)
        {
            var code = payload.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(payload) : 0;
            throw new InvalidDataException($"diagnostics IPC error 0x{code:X8}");
        }

        return payload;
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("the diagnostics socket closed early");
            }

            buffer = buffer[read..];
        }
    }
}

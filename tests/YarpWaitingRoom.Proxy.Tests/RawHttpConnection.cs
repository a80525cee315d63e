using System.Net.Sockets;
using System.Text;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>
/// HTTP/1.x written byte by byte over a socket, for what <see cref="HttpClient"/> refuses to send: non-ASCII or control
/// characters in headers, broken body framing, a body that stops half way.
/// </summary>
internal sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawHttpConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttpConnection> OpenAsync(Uri server, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        return new RawHttpConnection(client);
    }

    /// <summary>Bytes as they are: each char of <paramref name="latin1"/> is one byte (write UTF-8 with <see cref="Utf8"/>).</summary>
    public async Task SendAsync(string latin1, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(Encoding.Latin1.GetBytes(latin1), cancellationToken);

    /// <summary>
    /// The response, read until it is complete (by its Content-Length or last chunk), the server closes the connection, or
    /// <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<RawResponse> ReadResponseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while (!RawResponse.IsComplete(Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length))
                && (read = await _stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Nothing complete within the timeout: parse what came.
        }
        catch (IOException)
        {
            // Reset after the response (the server gave up on the rest of the request): parse what came.
        }

        return RawResponse.Parse(Encoding.Latin1.GetString(received.ToArray()));
    }

    /// <summary><paramref name="text"/> as UTF-8, one char per byte, for <see cref="SendAsync"/>.</summary>
    public static string Utf8(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}

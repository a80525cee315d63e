using System.Net;
using System.Net.Sockets;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// Clients that come from an address of their own: every 127.x.y.z is this machine's loopback, so a test can play
/// many visitors (each with its own address, as on the internet) or one flooding address, against per-address limits.
/// </summary>
internal static class SourceAddresses
{
    private static int _next;

    /// <summary>A loopback address no other caller of this method got (127.1.0.1, 127.1.0.2, …).</summary>
    public static IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next);
        return new IPAddress([127, 1, (byte)(n / 250), (byte)((n % 250) + 1)]);
    }

    /// <summary>An HTTP handler whose connections leave from <paramref name="source"/>.</summary>
    public static SocketsHttpHandler From(IPAddress source, bool cookies = false) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = cookies,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

using System.Net;
using System.Net.Sockets;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// Clients that come from an address of their own: every 127.x.y.z is this machine's loopback, so a test can play
/// many visitors (each with its own address in a /24 of its own, as on the internet, so neither the per-network limits
/// nor the room's cap on places per network group them) or one flooding address, against per-address limits.
/// </summary>
internal static class SourceAddresses
{
    private static int _next;

    /// <summary>A loopback address in a /24 no other caller of this method got (127.1.1.1, 127.1.2.1, …).</summary>
    public static IPAddress Next()
    {
        var n = Interlocked.Increment(ref _next);
        return new IPAddress([127, (byte)(1 + (n / 256)), (byte)(n % 256), 1]);
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

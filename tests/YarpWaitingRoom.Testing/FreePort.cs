using System.Net;
using System.Net.Sockets;

namespace YarpWaitingRoom.Testing;

/// <summary>Free TCP ports on the loopback interface.</summary>
public static class FreePort
{
    /// <summary>A port the OS just handed out and released; free unless someone races for it.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

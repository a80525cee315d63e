using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace YarpWaitingRoom.Testing;

/// <summary>
/// Free TCP ports on the loopback interface for the servers the tests start (redis-server, PostgreSQL, whole stacks).
/// <para>
/// Not the port the OS hands out for port 0: that comes from the ephemeral range, the same range every outgoing
/// connection takes its local port from, so on a busy machine a client connection could take the port between the pick
/// and the server's bind (seconds later for a .NET service), and the server failed with "address already in use". Ports
/// come from below the ephemeral range instead, and every test process on the machine reserves each one it hands out
/// (a file named after the port in a shared directory, holding the owner's process id; a dead owner's reservation is
/// taken over), so two test assemblies running at once never pick the same port either.
/// </para>
/// </summary>
public static class FreePort
{
    private const int First = 10_000;

    private static readonly string Registry = Path.Combine(Path.GetTempPath(), "ywr-test-ports");
    private static readonly int Last = EphemeralRangeStart() - 1;
    private static int _cursor = Random.Shared.Next(First, Last + 1);

    /// <summary>A port below the ephemeral range, reserved for this process, that nothing listens on.</summary>
    public static int Next()
    {
        Directory.CreateDirectory(Registry);
        var span = Last - First + 1;
        for (var attempt = 0; attempt < span; attempt++)
        {
            var port = First + (int)((uint)(Interlocked.Increment(ref _cursor) - First) % (uint)span);
            if (TryReserve(port) && CanBind(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {Last}.");
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

    /// <summary>Claims <paramref name="port"/> for this process, unless a live test process holds it.</summary>
    private static bool TryReserve(int port)
    {
        var path = Path.Combine(Registry, port.ToString(CultureInfo.InvariantCulture));
        for (var tries = 0; tries < 2; tries++)
        {
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(file);
                writer.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                if (OwnerIsAlive(path))
                {
                    return false;
                }

                TryDelete(path);
            }
        }

        return false;
    }

    private static bool OwnerIsAlive(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            // A reservation being written right now has no id yet: its owner is alive.
            return text.Length == 0
                || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                || owner == Environment.ProcessId
                || Directory.Exists("/proc/" + owner.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (<c>ip_local_port_range</c>; 32768 when it cannot be read).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var fields = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(fields[0], CultureInfo.InvariantCulture) is var start && start > First + 1_000 ? start : 32_768;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}

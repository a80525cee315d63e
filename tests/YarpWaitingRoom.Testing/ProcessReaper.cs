using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace YarpWaitingRoom.Testing;

/// <summary>
/// Last line of defence: servers still tracked when the test process exits (a test run aborted before fixtures
/// were disposed) are killed, so no redis-server or postgres outlives the test run.
/// </summary>
internal static class ProcessReaper
{
    private static readonly ConcurrentDictionary<object, Action> Tracked = new();

    static ProcessReaper()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    public static void Track(RedisServer server) => Tracked[server] = server.Kill;

    public static void Track(PostgresServer server) => Tracked[server] = server.Kill;

    public static void Untrack(object server) => Tracked.TryRemove(server, out _);

    public static void KillPidFile(string pidFile)
    {
        try
        {
            if (!File.Exists(pidFile))
            {
                return;
            }

            var firstLine = File.ReadLines(pidFile).FirstOrDefault();
            if (int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static void KillAll()
    {
        foreach (var kill in Tracked.Values)
        {
            kill();
        }

        Tracked.Clear();
    }
}

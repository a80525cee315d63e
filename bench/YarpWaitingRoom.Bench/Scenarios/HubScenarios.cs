using System.Net.WebSockets;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>What the hub scenarios share: failure classes, the hubs' output, histogram and percentile arithmetic.</summary>
internal static class HubScenarios
{
    /// <summary>A hub or Redis that would not start or is not built.</summary>
    public static bool IsSetupFailure(Exception ex) =>
        ex is InvalidOperationException or TimeoutException or FileNotFoundException or StackExchange.Redis.RedisException;

    /// <summary>A failure while measuring (the hub's output goes with the message).</summary>
    public static bool IsRunFailure(Exception ex) =>
        ex is TimeoutException or InvalidOperationException or HttpRequestException or WebSocketException or StackExchange.Redis.RedisException;

    /// <summary>
    /// The frame every hub scenario runs in: a bench room with <paramref name="visitors"/> joined, one hub child process per
    /// instance, a client set for <paramref name="measure"/>; a failure is reported under <paramref name="name"/>, and at the
    /// end the clients are closed and each hub's own output is printed.
    /// </summary>
    public static async Task<int> RunAsync(
        string name,
        string roomPrefix,
        int visitors,
        IReadOnlyList<string> instances,
        TimeSpan? pushInterval,
        Func<HubBenchRoom, IReadOnlyList<ServiceProcess>, HubClientSet, HubVisitor[], Task<int>> measure,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(measure);
        try
        {
            await using var room = await HubBenchRoom.CreateAsync(roomPrefix, visitors);
            var joined = await room.JoinAsync(visitors, cancellationToken);
            var hubs = new List<ServiceProcess>();
            await using var clients = new HubClientSet();
            try
            {
                foreach (var instance in instances)
                {
                    hubs.Add(await HubProcess.StartAsync(room, instance, pushInterval, cancellationToken));
                }

                return await measure(room, hubs, clients, joined);
            }
            catch (Exception ex) when (IsRunFailure(ex))
            {
                Console.Error.WriteLine($"{name}: {ex.Message}");
                return 1;
            }
            finally
            {
                await clients.CloseAsync();
                foreach (var hub in hubs)
                {
                    ReportOutput(hub);
                    hub.Dispose();
                }
            }
        }
        catch (Exception ex) when (IsSetupFailure(ex))
        {
            Console.Error.WriteLine($"{name}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Prints the hub's warnings and errors (it logs at Warning and above), if it wrote any.</summary>
    public static void ReportOutput(ServiceProcess hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var output = hub.Output;
        Console.WriteLine(output.Length == 0 ? $"  {hub.Name} wrote nothing (no warnings or errors)" : $"  {hub.Name} wrote:{Environment.NewLine}{output}");
    }

    /// <summary>Upper bound of the slowest observation between two scrapes of a histogram: the first bucket holding all of them.</summary>
    public static double MaxUpperBoundMs((double UpperBound, double Count)[] before, (double UpperBound, double Count)[] after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var total = after.Length == 0 ? 0 : after[^1].Count - (before.Length == 0 ? 0 : before[^1].Count);
        for (var i = 0; i < after.Length; i++)
        {
            var delta = after[i].Count - (i < before.Length ? before[i].Count : 0);
            if (delta >= total)
            {
                return after[i].UpperBound * 1000;
            }
        }

        return double.NaN;
    }

    /// <summary>Nearest-rank percentile of ascending <paramref name="sorted"/>.</summary>
    public static double Percentile(double[] sorted, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}

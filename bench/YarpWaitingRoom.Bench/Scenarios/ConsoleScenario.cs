using System.Diagnostics;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What operators watching the console's live view cost Redis, against the running stack: Redis commands per second in
/// four windows side by side (nobody watching, ten watchers spread over both proxies, each again while an admitted
/// visitor's requests flow through the edge at a steady pace below the switch's thresholds). The watchers' cost is the
/// difference with and without them; that it is the same with traffic as without shows the live view adds no Redis
/// work per request. Leaves the room as it was (watchers only read).
/// </summary>
internal static class ConsoleScenario
{
    public const string Name = "console";

    private const string Room = "concert";
    private const string GatedPath = "/api/concerts";
    private const int Watchers = 10;
    private const int TrafficWorkers = 8;
    private static readonly TimeSpan TrafficPace = TimeSpan.FromMilliseconds(25); // 8 workers × 40/s: about 320 requests/s
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(4);

    public static async Task<int> RunAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var adminKey = StackEndpoints.AdminKey() ?? throw new InvalidOperationException("No admin key: run ./stack up first.");
        var proxies = StackEndpoints.DotnetServices.Where(s => s.Name.StartsWith("proxy-", StringComparison.Ordinal)).Select(s => s.Address).ToArray();
        using var redis = await RedisInfo.ConnectAsync();
        var server = RedisInfo.Server(redis);
        using var edge = LoadRunner.CreateClient(StackEndpoints.Edge, TrafficWorkers);
        edge.DefaultRequestHeaders.Add("Cookie", await AdmissionCookies.AdmitOnceAsync(edge, GatedPath, Room, cancellationToken));
        Console.WriteLine($"console: Redis commands/s over {window.TotalSeconds:F0}-s windows; {Watchers} live views of room {Room} over {proxies.Length} proxies; traffic {TrafficWorkers} workers paced at {TrafficPace.TotalMilliseconds:F0} ms through the edge");

        var windows = new JsonObject();
        var idle = await MeasureAsync("nobody watching", server, window, null, cancellationToken);
        WatchSet? watching = null;
        try
        {
            // One watcher per proxy first: what the live view costs at all; then ten, to show that it does not grow with them.
            watching = await WatchSet.OpenAsync(proxies, adminKey, Room, proxies.Length, cancellationToken);
            await Task.Delay(WarmUp, cancellationToken);
            var few = await MeasureAsync($"{proxies.Length} watching (one a proxy)", server, window, null, cancellationToken);
            watching.Dispose();
            watching = await WatchSet.OpenAsync(proxies, adminKey, Room, Watchers, cancellationToken);
            await Task.Delay(WarmUp, cancellationToken);
            var watched = await MeasureAsync($"{Watchers} watching", server, window, null, cancellationToken);
            watching.Dispose();
            watching = null;
            await Task.Delay(WarmUp, cancellationToken);
            var traffic = await MeasureAsync("traffic, nobody watching", server, window, edge, cancellationToken);
            watching = await WatchSet.OpenAsync(proxies, adminKey, Room, Watchers, cancellationToken);
            await Task.Delay(WarmUp, cancellationToken);
            var both = await MeasureAsync($"traffic, {Watchers} watching", server, window, edge, cancellationToken);
            var frames = watching.Frames;

            var added = watched.PerSecond - idle.PerSecond;
            var addedUnderTraffic = both.PerSecond - traffic.PerSecond;
            Console.WriteLine($"  added by {proxies.Length} watchers: {few.PerSecond - idle.PerSecond:F1} commands/s; by {Watchers} watchers: {added:F1} commands/s idle, {addedUnderTraffic:F1} commands/s under {both.RequestsPerSecond:F0} requests/s");
            Console.WriteLine($"  added by the traffic: {traffic.PerSecond - idle.PerSecond:F1} commands/s with nobody watching, {both.PerSecond - watched.PerSecond:F1} with {Watchers} watching");
            Console.WriteLine($"  per command, added by the watchers (idle): {string.Join(", ", Added(watched, idle).Take(8).Select(d => $"{d.Command} {d.PerSecond:+0.0;-0.0}/s"))}");
            Console.WriteLine($"  frames received by the watchers: {frames:N0}");
            foreach (var (name, measured) in new[] { ("idle", idle), ("onePerProxy", few), ("watched", watched), ("traffic", traffic), ("trafficWatched", both) })
            {
                windows[name] = new JsonObject
                {
                    ["commandsPerSecond"] = Math.Round(measured.PerSecond, 1),
                    ["requestsPerSecond"] = Math.Round(measured.RequestsPerSecond, 1),
                };
            }

            var json = new JsonObject
            {
                ["watchers"] = Watchers,
                ["windowSeconds"] = window.TotalSeconds,
                ["windows"] = windows,
                ["addedByWatchersPerSecond"] = Math.Round(added, 1),
                ["addedByWatchersUnderTrafficPerSecond"] = Math.Round(addedUnderTraffic, 1),
                ["framesReceived"] = frames,
            };
            Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
            return frames > 0 ? 0 : 1;
        }
        finally
        {
            watching?.Dispose();
        }
    }

    /// <summary>Per command, the calls per second of <paramref name="with"/> less those of <paramref name="without"/>, largest first.</summary>
    private static IEnumerable<(string Command, double PerSecond)> Added(Window with, Window without) =>
        with.PerCommand.Keys.Union(without.PerCommand.Keys)
            .Select(c => (c, with.PerCommand.GetValueOrDefault(c) - without.PerCommand.GetValueOrDefault(c)))
            .Where(d => Math.Abs(d.Item2) >= 0.1)
            .OrderByDescending(d => d.Item2);

    /// <summary>Redis calls over one window, with the paced traffic when <paramref name="edge"/> is given.</summary>
    private static async Task<Window> MeasureAsync(string label, StackExchange.Redis.IServer server, TimeSpan window, HttpClient? edge, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long requests = 0;
        var traffic = edge is null
            ? Task.CompletedTask
            : Task.WhenAll(Enumerable.Range(0, TrafficWorkers).Select(async _ =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await edge.GetAsync(new Uri(GatedPath, UriKind.Relative), stop.Token);
                        if (response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref requests);
                        }

                        await Task.Delay(TrafficPace, stop.Token);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }));
        if (edge is not null)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        var before = await RedisInfo.CommandStatsAsync(server);
        var requestsBefore = Interlocked.Read(ref requests);
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window, cancellationToken);
        var after = await RedisInfo.CommandStatsAsync(server);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var served = Interlocked.Read(ref requests) - requestsBefore;
        await stop.CancelAsync();
        await traffic;
        var perSecond = (after.TotalCalls - before.TotalCalls) / seconds;
        Console.WriteLine($"  {label,-28} {perSecond,8:F1} Redis commands/s{(edge is null ? string.Empty : $", {served / seconds:F0} requests/s")}");
        var perCommand = after.Commands.ToDictionary(c => c.Key, c => (c.Value.Calls - before.Calls(c.Key)) / seconds, StringComparer.Ordinal);
        return new Window(perSecond, served / seconds, perCommand);
    }

    private sealed record Window(double PerSecond, double RequestsPerSecond, IReadOnlyDictionary<string, double> PerCommand);

    /// <summary>Open live views, read to the end in the background; <see cref="Frames"/> counts the events received.</summary>
    private sealed class WatchSet : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<HttpClient> _clients = [];
        private long _frames;

        public long Frames => Interlocked.Read(ref _frames);

        public static async Task<WatchSet> OpenAsync(Uri[] proxies, string adminKey, string room, int count, CancellationToken cancellationToken)
        {
            var set = new WatchSet();
            var opened = new List<Task>();
            for (var i = 0; i < count; i++)
            {
                var client = new HttpClient { BaseAddress = proxies[i % proxies.Length], Timeout = Timeout.InfiniteTimeSpan };
                client.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", adminKey);
                set._clients.Add(client);
                var response = await client.GetAsync($"/_wr/admin/rooms/{room}/live", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                opened.Add(set.ReadAsync(response));
            }

            return set;
        }

        private async Task ReadAsync(HttpResponseMessage response)
        {
            try
            {
                using (response)
                using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token)))
                {
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        if (line.StartsWith("event: ", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref _frames);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
            {
                // Closed.
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            foreach (var client in _clients)
            {
                client.Dispose();
            }

            _stop.Dispose();
        }
    }
}

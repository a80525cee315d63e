using System.Diagnostics;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// The position push of one socket hub for 10,000 waiting sessions: one hub (a child process) with a 5 s push interval,
/// 10,000 WebSockets from this process, then the hub's own figures over three ticks (--ticks) (time per tick from its histogram,
/// Redis round trips per tick from its gauge) and, on the client side, that every session got one position per tick.
/// </summary>
internal static class HubPushScenario
{
    public const string Name = "hubpush";

    public const int DefaultSessions = 10_000;

    public const int DefaultTicks = 3;
    private const string Instance = "bench-hub-a";

    private static readonly TimeSpan PushInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan FirstPositionTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MetricsPoll = TimeSpan.FromMilliseconds(100);

    public static async Task<int> RunAsync(int sessions, int ticks, CancellationToken cancellationToken)
    {
        sessions = HubBenchRoom.FitToFileLimit(sessions);
        ticks = Math.Max(ticks, 1);
        Console.WriteLine($"hubpush: {sessions:N0} WebSocket sessions on one hub, push every {PushInterval.TotalSeconds:F0} s, {ticks} ticks observed");
        return await HubScenarios.RunAsync(
            Name, "benchhub", sessions, [Instance], PushInterval,
            (room, hubs, clients, visitors) => MeasureAsync(room, hubs[0], clients, visitors, ticks, cancellationToken), cancellationToken);
    }

    private static async Task<int> MeasureAsync(HubBenchRoom room, ServiceProcess hub, HubClientSet clients, HubVisitor[] visitors, int ticks, CancellationToken cancellationToken)
    {
        var sessions = visitors.Length;
        using var scraper = new HttpClient { BaseAddress = hub.Url, Timeout = TimeSpan.FromSeconds(10) };
        var byRoom = ("room", room.Name);

        var connectSeconds = await clients.ConnectAsync(visitors, (_, visitor) => room.SocketUri(hub, visitor), cancellationToken);
        await clients.WaitForFirstPositionsAsync(FirstPositionTimeout, cancellationToken);
        Console.WriteLine($"  connected {sessions:N0} sockets in {connectSeconds:F1} s ({sessions / connectSeconds:F0}/s, {clients.ConnectRetries} retries); all had their first position");

        // A tick that covered every session, then the middle of the gap to the next one: all its positions are in.
        var metrics = await NextTickAsync(scraper, room.Name, TickCount(await PrometheusText.ScrapeAsync(scraper, cancellationToken), room.Name), cancellationToken);
        while ((metrics.Value("sockethub_push_sessions", byRoom) ?? 0) < sessions)
        {
            metrics = await NextTickAsync(scraper, room.Name, TickCount(metrics, room.Name), cancellationToken);
        }

        // The timer ticks at a fixed period: from the middle of this gap on, one scrape per gap (scrapes cost hub CPU).
        var midGap = Stopwatch.GetTimestamp() + StopwatchTicks(PushInterval / 2);
        await DelayUntilAsync(midGap, cancellationToken);
        var before = await PrometheusText.ScrapeAsync(scraper, cancellationToken);
        var redis = RedisInfo.Server(room.Redis);
        var commandsBefore = await RedisInfo.CommandStatsAsync(redis);
        var cpuBefore = hub.CpuTime;
        var perClientBefore = clients.Clients.Select(c => c.Count(HubMessageKind.Position)).ToArray();
        var received = clients.Positions;
        var cpuAtTick = cpuBefore;

        var rows = new List<TickRow>();
        for (var tick = 1; tick <= ticks; tick++)
        {
            await DelayUntilAsync(midGap + (tick * StopwatchTicks(PushInterval)), cancellationToken);
            var total = clients.Positions;
            var stamps = clients.Clients.Select(c => c.Last(HubMessageKind.Position)?.ReceivedAt ?? 0).ToArray();
            var after = await PrometheusText.ScrapeAsync(scraper, cancellationToken);
            var cpu = hub.CpuTime;
            rows.Add(new TickRow(
                tick,
                TickCount(after, room.Name) - TickCount(before, room.Name) - (tick - 1),
                (long)(after.Value("sockethub_push_sessions", byRoom) ?? 0),
                total - received,
                (int)(after.Value("sockethub_push_round_trips", byRoom) ?? 0),
                (stamps.Max() - stamps.Min()) * 1000.0 / Stopwatch.Frequency,
                (cpu - cpuAtTick).TotalMilliseconds));
            received = total;
            cpuAtTick = cpu;
        }

        var end = await PrometheusText.ScrapeAsync(scraper, cancellationToken);
        var hubCpuMsPerTick = (hub.CpuTime - cpuBefore).TotalMilliseconds / ticks;
        var commandsAfter = await RedisInfo.CommandStatsAsync(redis);
        // What a tick runs inside Redis: a rank or score per session before places were computed in the hub; the front,
        // the stream since the last read and the probe's rank after. The stack's own traffic is in the total only.
        string[] tickCommands = ["zrank", "zscore", "zrange", "xrange"];
        var perTickCalls = tickCommands.ToDictionary(c => c, c => (commandsAfter.Calls(c) - commandsBefore.Calls(c)) / (double)ticks);
        var redisMsPerTick = tickCommands.Sum(c => commandsAfter.Micros(c) - commandsBefore.Micros(c)) / 1000.0 / ticks;
        var allCallsPerTick = (commandsAfter.TotalCalls - commandsBefore.TotalCalls - RedisInfo.CommandsPerSnapshot) / (double)ticks;
        var hubTicks = TickCount(end, room.Name) - TickCount(before, room.Name);
        var tickSeconds = (end.Value("sockethub_push_tick_seconds_sum", byRoom) ?? 0) - (before.Value("sockethub_push_tick_seconds_sum", byRoom) ?? 0);
        var msPerTick = tickSeconds * 1000 / hubTicks;
        var maxTickMs = HubScenarios.MaxUpperBoundMs(before.Buckets("sockethub_push_tick_seconds", byRoom), end.Buckets("sockethub_push_tick_seconds", byRoom));
        var perClient = clients.Clients.Select((c, i) => c.Count(HubMessageKind.Position) - perClientBefore[i]).ToArray();
        var (minPerClient, maxPerClient) = (perClient.Min(), perClient.Max());
        var roundTrips = rows.Select(r => r.RoundTrips).ToArray();

        Console.WriteLine();
        Console.WriteLine($"{"tick",4} {"hub ticks",10} {"sessions",9} {"positions received",19} {"round trips",12} {"delivery spread ms",19} {"hub CPU ms",11}");
        foreach (var row in rows)
        {
            Console.WriteLine($"{row.Tick,4} {row.HubTicks,10} {row.Sessions,9:N0} {row.PositionsReceived,19:N0} {row.RoundTrips,12} {row.SpreadMs,19:F1} {row.CpuMs,11:F1}");
        }

        var allGotOne = minPerClient == ticks && maxPerClient == ticks && rows.All(r => r.PositionsReceived == sessions && r.HubTicks == 1);
        Console.WriteLine($"hub time per push tick ({sessions:N0} sessions, mean of {hubTicks}): {msPerTick:F1} ms; slowest <= {maxTickMs:F1} ms (histogram bucket)");
        Console.WriteLine($"Redis round trips per tick: {string.Join(", ", roundTrips)}");
        Console.WriteLine($"Redis commands per tick: ZRANK {perTickCalls["zrank"]:F0}, ZSCORE {perTickCalls["zscore"]:F0}, ZRANGE {perTickCalls["zrange"]:F0}, XRANGE {perTickCalls["xrange"]:F0} ({redisMsPerTick:F1} ms inside Redis); all commands on this Redis {allCallsPerTick:F0} per interval");
        Console.WriteLine($"hub CPU per push interval (tick, sends, one /metrics scrape, everything else): {hubCpuMsPerTick:F1} ms");
        Console.WriteLine($"positions per client over {ticks} ticks: min {minPerClient}, max {maxPerClient} (exactly {ticks} each: {(allGotOne ? "met" : "MISSED")}); gone {clients.GoneMessages}, unexpected {clients.UnexpectedMessages}, failed {clients.Failed}");

        var json = new JsonObject
        {
            ["sessions"] = sessions,
            ["pushIntervalSeconds"] = PushInterval.TotalSeconds,
            ["ticksObserved"] = hubTicks,
            ["msPerTick"] = Math.Round(msPerTick, 2),
            ["maxTickMsUpperBound"] = Math.Round(maxTickMs, 2),
            ["roundTripsPerTick"] = new JsonArray(roundTrips.Select(r => (JsonNode)r).ToArray()),
            ["redisZrankPerTick"] = perTickCalls["zrank"],
            ["redisZscorePerTick"] = perTickCalls["zscore"],
            ["redisZrangePerTick"] = perTickCalls["zrange"],
            ["redisXrangePerTick"] = perTickCalls["xrange"],
            ["redisMsPerTick"] = Math.Round(redisMsPerTick, 2),
            ["redisCommandsPerInterval"] = allCallsPerTick,
            ["hubCpuMsPerTickInterval"] = Math.Round(hubCpuMsPerTick, 1),
            ["hubCpuMsPerInterval"] = new JsonArray(rows.Select(r => (JsonNode)Math.Round(r.CpuMs, 1)).ToArray()),
            ["positionsReceivedPerTick"] = new JsonArray(rows.Select(r => (JsonNode)r.PositionsReceived).ToArray()),
            ["deliverySpreadMs"] = new JsonArray(rows.Select(r => (JsonNode)Math.Round(r.SpreadMs, 1)).ToArray()),
            ["minPositionsPerClient"] = minPerClient,
            ["maxPositionsPerClient"] = maxPerClient,
            ["connectSeconds"] = Math.Round(connectSeconds, 2),
            ["connectRetries"] = clients.ConnectRetries,
            ["clientFailures"] = clients.Failed,
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return allGotOne && clients.Failed == 0 ? 0 : 1;
    }

    /// <summary>Polls <c>/metrics</c> until the room's push-tick count exceeds <paramref name="seen"/>; returns that scrape.</summary>
    private static async Task<PrometheusText> NextTickAsync(HttpClient scraper, string room, long seen, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(PushInterval.TotalSeconds * 3 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var metrics = await PrometheusText.ScrapeAsync(scraper, cancellationToken);
            if (TickCount(metrics, room) > seen)
            {
                return metrics;
            }

            await Task.Delay(MetricsPoll, cancellationToken);
        }

        throw new TimeoutException($"no push tick for room {room} within {PushInterval.TotalSeconds * 3:F0} s");
    }

    private static long StopwatchTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), cancellationToken);
        }
    }

    private static long TickCount(PrometheusText metrics, string room) =>
        (long)(metrics.Value("sockethub_push_tick_seconds_count", ("room", room)) ?? 0);

    private sealed record TickRow(int Tick, long HubTicks, long Sessions, long PositionsReceived, int RoundTrips, double SpreadMs, double CpuMs);
}

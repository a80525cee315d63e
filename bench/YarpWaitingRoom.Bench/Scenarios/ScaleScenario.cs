using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Bench.Scale;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// A scale rehearsal: 1,000,000 waiting in Redis (the front 50,000 with WebSockets spread over two hubs, the rest
/// joined through join.lua without a socket), one admission batch of 5,000 every 10 s as the proxies' scheduler would
/// (fence, admit, the admitted notice the hubs fan out) and the hubs' push every 10 s, for five ticks. Per tick: Redis
/// commands and CPU, each hub's CPU and RSS, the push spread (first to last position the clients of one hub received
/// in the tick) and the fan-out (admit call returned → admitted message received, over the batch). The clients run in
/// child processes (<see cref="ScaleClientHost"/>) and from several loopback addresses; open-file limits are raised
/// where the kernel lets this process, and a count that still does not fit is cut and said so.
/// </summary>
internal static class ScaleScenario
{
    public const string Name = "scale";

    public const int DefaultSockets = 50_000;

    public const int DefaultHubs = 2;

    public const int DefaultTicks = 5;

    public const int DefaultWaiting = 1_000_000;

    private const int BatchSize = 5_000;
    private const int TopCommands = 5;

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(int requested, int hubCount, int ticks, int waiting, CancellationToken cancellationToken)
    {
        var kernel = KernelLimits.Read();
        var limitBefore = OpenFiles.Current();
        // Enough for a hub or a client process with every socket; never above what the kernel allows one process.
        var wanted = (long)requested + ScalePlan.Margin;
        var limit = OpenFiles.Raise(kernel.NrOpen > 0 ? Math.Min(wanted, kernel.NrOpen) : wanted) ?? int.MaxValue;
        var plan = ScalePlan.Create(requested, hubCount, limit, kernel.EphemeralPorts);
        var load = new RoomLoad(Math.Max(waiting, plan.Sockets), ticks);
        Console.WriteLine($"scale: {load.Waiting:N0} waiting, {plan.Sockets:N0} WebSockets over {plan.Hubs} hubs, one admission of {BatchSize:N0} and one push every {Interval.TotalSeconds:F0} s, {ticks} ticks");
        Console.WriteLine($"  kernel: {kernel}");
        Console.WriteLine($"  open files per process: {(limitBefore is { } b ? $"{b.Soft:N0} soft / {b.Hard:N0} hard" : "unknown")} at start, {limit:N0} after raising (asked {wanted:N0}); hubs and client processes inherit it");
        Console.WriteLine($"  plan: {plan.PerHub:N0} sockets per hub, {plan.ClientProcesses} client processes of up to {plan.PerClientProcess:N0}, {plan.SourceAddresses} source addresses (127.0.0.2 and up)");
        if (plan.IsCut)
        {
            Console.WriteLine();
            Console.WriteLine($"  *** WARNING: {plan.Sockets:N0} sockets instead of the {requested:N0} requested: a process may open {limit:N0} files and the hard limit could not be raised (needs CAP_SYS_RESOURCE); more hubs (--hubs {(requested + plan.PerHub - 1) / plan.PerHub}) would hold them all ***");
            Console.WriteLine();
        }

        try
        {
            await using var bench = await HubBenchRoom.CreateAsync("benchscale", load.Waiting);
            return await RehearseAsync(bench, plan, kernel, limit, load, cancellationToken);
        }
        catch (Exception ex) when (HubScenarios.IsSetupFailure(ex) || HubScenarios.IsRunFailure(ex))
        {
            Console.Error.WriteLine($"{Name}: {ex.Message}");
            return 1;
        }
        finally
        {
            // A million joins grew the append-only file by hundreds of megabytes: compact it again (unless Redis's own
            // automatic rewrite, triggered by that growth, is already doing it).
            using var redis = await RedisInfo.ConnectAsync();
            try
            {
                await RedisInfo.Server(redis).ExecuteAsync("BGREWRITEAOF");
            }
            catch (StackExchange.Redis.RedisServerException ex) when (ex.Message.Contains("already in progress", StringComparison.Ordinal))
            {
                Console.WriteLine("  the append-only file is being rewritten already");
            }
        }
    }

    private static async Task<int> RehearseAsync(HubBenchRoom room, ScalePlan plan, KernelLimits kernel, long fileLimit, RoomLoad load, CancellationToken cancellationToken)
    {
        var (queued, ticks) = (load.Waiting, load.Ticks);
        var redis = RedisInfo.Server(room.Redis);
        var memoryBefore = await RedisInfo.UsedMemoryAsync(redis);
        // The front of the queue has sockets: they are the ones admitted, 5,000 a tick.
        var visitors = await room.JoinAsync(plan.Sockets, cancellationToken);
        var fillSeconds = await AdmitScenario.FillAsync(room.Queue, queued - plan.Sockets, cancellationToken);
        var (waiting, _) = await room.Queue.CountsAsync();
        var bytesPerVisitor = (await RedisInfo.UsedMemoryAsync(redis) - memoryBefore) / (double)queued;
        Console.WriteLine($"  filled {waiting:N0} waiting ({queued - plan.Sockets:N0} without a socket in {fillSeconds:F1} s); {bytesPerVisitor:F0} bytes of Redis memory per waiting visitor");
        await RedisInfo.WaitForPersistenceAsync(redis, cancellationToken);

        var hubs = new List<ServiceProcess>();
        var clients = new List<ScaleClientProcess>();
        try
        {
            for (var h = 0; h < plan.Hubs; h++)
            {
                hubs.Add(await HubProcess.StartAsync(room, $"bench-hub-{(char)('a' + h)}", Interval, cancellationToken));
            }

            var scrapers = hubs.Select(hub => new HttpClient { BaseAddress = hub.Url, Timeout = TimeSpan.FromSeconds(30) }).ToArray();
            try
            {
                // One interval with the hubs up and no socket: what the rest of the stack and an idle hub cost.
                var idleFrom = await SnapshotAsync(redis, hubs, clients, scrapers, cancellationToken);
                await Task.Delay(Interval, cancellationToken);
                var idle = new TickRow(0, idleFrom, await SnapshotAsync(redis, hubs, clients, scrapers, cancellationToken), 0, [], 0, 0);
                var connectStarted = Stopwatch.GetTimestamp();
                var slice = 0;
                foreach (var (first, count) in plan.ClientSlices())
                {
                    clients.Add(await ScaleClientProcess.StartAsync(
                        $"client process {++slice}",
                        first,
                        Enumerable.Range(first, count).Select(i => (plan.SourceOf(i), room.SocketUri(hubs[plan.HubOf(i)], visitors[i]), visitors[i].Cookie)),
                        cancellationToken));
                }

                var connected = await Task.WhenAll(clients.Select(c => c.ConnectedAsync(ConnectTimeout, cancellationToken)));
                await Task.WhenAll(clients.Select(c => c.ReadyAsync(ReadyTimeout, cancellationToken)));
                var connectSeconds = Stopwatch.GetElapsedTime(connectStarted).TotalSeconds;
                Console.WriteLine($"  connected {plan.Sockets:N0} sockets in {connectSeconds:F1} s ({connected.Sum(c => c.Retries)} retries); all had their first position");
                await Task.Delay(Settle, cancellationToken);

                var rows = new List<TickRow>();
                var snapshot = await SnapshotAsync(redis, hubs, clients, scrapers, cancellationToken);
                var start = snapshot.At;
                var connectedRss = snapshot.HubRss;
                for (var tick = 1; tick <= ticks; tick++)
                {
                    var fence = await room.Queue.NextFenceAsync();
                    var called = Stopwatch.GetTimestamp();
                    var admit = await room.Queue.AdmitAsync(fence, BatchSize);
                    var returned = Stopwatch.GetTimestamp();
                    await DelayUntilAsync(start + (tick * Ticks(Interval)), cancellationToken);
                    var next = await SnapshotAsync(redis, hubs, clients, scrapers, cancellationToken);
                    rows.Add(new TickRow(tick, snapshot, next, admit.Admitted, [.. admit.Tickets], called, returned));
                    snapshot = next;
                }

                var reports = await Task.WhenAll(clients.Select(c => c.ReportAsync(ReportTimeout, cancellationToken)));
                return Report(plan, kernel, fileLimit, queued, hubs, idle, connectedRss, connectSeconds, fillSeconds, bytesPerVisitor, visitors, rows, reports, room.Name);
            }
            finally
            {
                foreach (var scraper in scrapers)
                {
                    scraper.Dispose();
                }
            }
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.CloseAsync(CloseTimeout)));
            foreach (var client in clients)
            {
                if (client.Prose.Length > 0)
                {
                    Console.WriteLine($"  {client.Name} wrote:{Environment.NewLine}{client.Prose}");
                }

                client.Dispose();
            }

            foreach (var hub in hubs)
            {
                HubScenarios.ReportOutput(hub);
                hub.Dispose();
            }
        }
    }

    private static int Report(
        ScalePlan plan, KernelLimits kernel, long fileLimit, int queued, List<ServiceProcess> hubs, TickRow idle, long[] connectedRss, double connectSeconds,
        double fillSeconds, double bytesPerVisitor, HubVisitor[] visitors, List<TickRow> rows,
        (List<(int Client, HubMessageKind Kind, long At)> Receipts, int Failed, int ClosedByHub, long Unexpected)[] reports, string roomName)
    {
        var receipts = reports.SelectMany(r => r.Receipts).Where(r => r.Client >= 0 && r.Client < visitors.Length).ToArray();
        var firstAdmitted = new Dictionary<int, long>();
        var admittedMessages = new int[visitors.Length];
        foreach (var (client, _, at) in receipts.Where(r => r.Kind == HubMessageKind.Admitted))
        {
            admittedMessages[client]++;
            firstAdmitted[client] = firstAdmitted.TryGetValue(client, out var earlier) ? Math.Min(earlier, at) : at;
        }

        var clientOf = visitors.Select((v, i) => (v.Ticket, i)).ToDictionary(x => x.Ticket, x => x.i, StringComparer.Ordinal);
        // Positions per hub, split into the bursts of its ticks (a push is one burst; ticks are a push interval apart).
        var bursts = Enumerable.Range(0, plan.Hubs).Select(h => ReceiptBurst.Split(
            [.. receipts.Where(r => r.Kind == HubMessageKind.Position && plan.HubOf(r.Client) == h && r.At >= rows[0].Before.At).Select(r => r.At).Order()],
            Ticks(Interval / 4))).ToArray();

        Console.WriteLine();
        Console.WriteLine($"{"tick",4} {"admitted",8} {"admit ms",9} {"Redis cmds",11} {"Redis CPU ms",13} {"hub CPU ms",-16} {"hub RSS MB",-16} {"push spread ms (positions)",-32} {"fan-out p50/p99/max ms",-24} {"notices",9}");
        var tickJson = new JsonArray();
        var notNoticed = 0;
        foreach (var row in rows)
        {
            var deltas = CommandDelta.Between(row.Before.Commands, row.After.Commands);
            var commands = deltas.Sum(d => d.Calls) - RedisInfo.CommandsPerSnapshot * 2;
            var redisCpuMs = (row.After.RedisCpuSeconds - row.Before.RedisCpuSeconds) * 1000;
            var hubCpuMs = hubs.Select((_, h) => (row.After.HubCpu[h] - row.Before.HubCpu[h]).TotalMilliseconds).ToArray();
            var clientCpuMs = (row.After.ClientCpu - row.Before.ClientCpu).TotalMilliseconds;
            var pushes = bursts.Select(b => ReceiptBurst.LargestStartingIn(b, row.Before.At, row.After.At)).ToArray();
            var batch = row.Tickets.Select(t => clientOf.TryGetValue(t, out var c) ? c : -1).Where(c => c >= 0).ToArray();
            var latencies = batch.Where(firstAdmitted.ContainsKey).Select(c => Ms(firstAdmitted[c] - row.Returned)).Order().ToArray();
            var (p50, p99, max) = (HubScenarios.Percentile(latencies, 50), HubScenarios.Percentile(latencies, 99), latencies.LastOrDefault(double.NaN));
            notNoticed += batch.Length - latencies.Length;
            var roundTrips = row.After.HubMetrics.Select(m => m.Value("sockethub_push_round_trips", ("room", roomName)) ?? double.NaN).ToArray();
            var tickMs = row.After.HubMetrics.Select((m, h) => TickMs(row.Before.HubMetrics[h], m, roomName)).ToArray();

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Tick,4} {row.Admitted,8:N0} {Ms(row.Returned - row.Called),9:F1} {commands,11:N0} {redisCpuMs,13:F0} {Join(hubCpuMs, "F0"),-16} {Join(row.After.HubRss.Select(r => r / 1048576.0), "F0"),-16} {string.Join(" / ", pushes.Select(p => p is { } b ? $"{Ms(b.Spread):F0} ({b.Count:N0})" : "-")),-32} {$"{p50:F0}/{p99:F0}/{max:F0}",-24} {latencies.Length,9:N0}"));
            Console.WriteLine($"       top by calls: {string.Join(", ", deltas.Take(TopCommands))}");
            Console.WriteLine($"       top by time:  {string.Join(", ", CommandDelta.TopByMicros(deltas, TopCommands))}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"       hub push tick {Join(tickMs, "F0")} ms, Redis round trips {Join(roundTrips, "F0")}; client processes CPU {clientCpuMs:F0} ms"));

            tickJson.Add(new JsonObject
            {
                ["tick"] = row.Tick,
                ["admitted"] = row.Admitted,
                ["admitRoundTripMs"] = Round(Ms(row.Returned - row.Called)),
                ["redisCommands"] = commands,
                ["redisCpuMs"] = Round(redisCpuMs),
                ["topByCalls"] = Commands(deltas.Take(TopCommands)),
                ["topByMicros"] = Commands(CommandDelta.TopByMicros(deltas, TopCommands)),
                ["hubCpuMs"] = Array(hubCpuMs),
                ["hubRssBytes"] = new JsonArray([.. row.After.HubRss.Select(r => (JsonNode)r)]),
                ["hubPushTickMs"] = Array(tickMs),
                ["hubPushRoundTrips"] = Array(roundTrips),
                ["pushSpreadMs"] = Array(pushes.Select(p => p is { } b ? Ms(b.Spread) : double.NaN)),
                ["positionsInPush"] = new JsonArray([.. pushes.Select(p => (JsonNode)(p?.Count ?? 0))]),
                ["fanOutReceived"] = latencies.Length,
                ["fanOutBatchWithSockets"] = batch.Length,
                ["fanOutP50Ms"] = Round(p50),
                ["fanOutP99Ms"] = Round(p99),
                ["fanOutMaxMs"] = Round(max),
                ["clientProcessesCpuMs"] = Round(clientCpuMs),
            });
        }

        var perHubSockets = Enumerable.Range(0, plan.Hubs).Select(h => Enumerable.Range(0, plan.Sockets).Count(i => plan.HubOf(i) == h)).ToArray();
        var finalRss = rows[^1].After.HubRss;
        // Steady cost per socket: RSS with every socket open over RSS before any, and CPU per session-push over the ticks.
        var idleRss = idle.After.HubRss;
        var idleCpuMs = hubs.Select((_, h) => (idle.After.HubCpu[h] - idle.Before.HubCpu[h]).TotalMilliseconds).ToArray();
        var idleCommands = idle.After.Commands.TotalCalls - idle.Before.Commands.TotalCalls - (RedisInfo.CommandsPerSnapshot * 2);
        var idleRedisCpuMs = (idle.After.RedisCpuSeconds - idle.Before.RedisCpuSeconds) * 1000;
        var rssPerSocket = hubs.Select((_, h) => (connectedRss[h] - idleRss[h]) / (double)perHubSockets[h]).ToArray();
        var tickCpuMs = hubs.Select((_, h) => rows.Average(r => (r.After.HubCpu[h] - r.Before.HubCpu[h]).TotalMilliseconds)).ToArray();
        var cpuPerSessionPushUs = hubs.Select((_, h) => (tickCpuMs[h] - idleCpuMs[h]) * 1000 / perHubSockets[h]).ToArray();
        var once = admittedMessages.Count(n => n == 1);
        var twice = admittedMessages.Count(n => n > 1);
        var admittedTotal = rows.Sum(r => r.Admitted);
        var failed = reports.Sum(r => r.Failed);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle interval (hubs up, no sockets): Redis {idleCommands:N0} commands, {idleRedisCpuMs:F0} ms CPU; hub CPU {Join(idleCpuMs, "F0")} ms, RSS {Join(idleRss.Select(r => r / 1048576.0), "F0")} MB"));
        Console.WriteLine($"hub RSS per socket (all open vs none): {Join(rssPerSocket.Select(r => r / 1024), "F1")} KiB; hub CPU per session-push ((mean tick CPU - idle) / sockets): {Join(cpuPerSessionPushUs, "F1")} µs, mean tick CPU {Join(tickCpuMs, "F0")} ms");
        Console.WriteLine($"admitted messages: {once:N0} clients exactly once, {twice:N0} more than once, {notNoticed:N0} admitted with a socket and never told (of {Math.Min(admittedTotal, plan.Sockets):N0}); connections failed {failed}, closed by a hub {reports.Sum(r => r.ClosedByHub)}, unexpected messages {reports.Sum(r => r.Unexpected)}");
        if (plan.IsCut)
        {
            Console.WriteLine($"*** WARNING: {plan.Sockets:N0} sockets instead of the {plan.Requested:N0} requested (open-file limit {fileLimit:N0} per process) ***");
        }

        var json = new JsonObject
        {
            ["waiting"] = queued,
            ["socketsRequested"] = plan.Requested,
            ["sockets"] = plan.Sockets,
            ["socketsCut"] = plan.IsCut,
            ["hubs"] = plan.Hubs,
            ["socketsPerHub"] = new JsonArray([.. perHubSockets.Select(s => (JsonNode)s)]),
            ["clientProcesses"] = plan.ClientProcesses,
            ["sourceAddresses"] = plan.SourceAddresses,
            ["openFilesLimit"] = fileLimit,
            ["ipLocalPortRange"] = $"{kernel.PortLow}-{kernel.PortHigh}",
            ["fsFileMax"] = kernel.FileMax,
            ["fsNrOpen"] = kernel.NrOpen,
            ["batchSize"] = BatchSize,
            ["intervalSeconds"] = Interval.TotalSeconds,
            ["fillJoinsPerSecond"] = Round((queued - plan.Sockets) / fillSeconds),
            ["redisBytesPerWaitingVisitor"] = Round(bytesPerVisitor),
            ["connectSeconds"] = Round(connectSeconds),
            ["hubIdleRssBytes"] = new JsonArray([.. idleRss.Select(r => (JsonNode)r)]),
            ["hubConnectedRssBytes"] = new JsonArray([.. connectedRss.Select(r => (JsonNode)r)]),
            ["hubFinalRssBytes"] = new JsonArray([.. finalRss.Select(r => (JsonNode)r)]),
            ["hubRssBytesPerSocket"] = Array(rssPerSocket),
            ["hubCpuMicrosPerSessionPush"] = Array(cpuPerSessionPushUs),
            ["hubMeanTickCpuMs"] = Array(tickCpuMs),
            ["idleHubCpuMs"] = Array(idleCpuMs),
            ["idleRedisCommands"] = idleCommands,
            ["idleRedisCpuMs"] = Round(idleRedisCpuMs),
            ["clientsAdmittedOnce"] = once,
            ["clientsAdmittedMoreThanOnce"] = twice,
            ["clientsAdmittedNeverTold"] = notNoticed,
            ["clientFailures"] = failed,
            ["ticks"] = tickJson,
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return failed == 0 && twice == 0 && notNoticed == 0 && !plan.IsCut ? 0 : 1;
    }

    private static async Task<Snapshot> SnapshotAsync(
        StackExchange.Redis.IServer redis, List<ServiceProcess> hubs, List<ScaleClientProcess> clients, HttpClient[] scrapers, CancellationToken cancellationToken)
    {
        var at = Stopwatch.GetTimestamp();
        var commands = await RedisInfo.CommandStatsAsync(redis);
        var cpu = await RedisInfo.CpuSecondsAsync(redis);
        var metrics = await Task.WhenAll(scrapers.Select(s => PrometheusText.ScrapeAsync(s, cancellationToken)));
        return new Snapshot(
            at,
            commands,
            cpu,
            [.. hubs.Select(h => h.CpuTime)],
            [.. hubs.Select(h => h.ResidentBytes())],
            clients.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.CpuTime),
            metrics);
    }

    private static double TickMs(PrometheusText before, PrometheusText after, string room)
    {
        var byRoom = ("room", room);
        var count = (after.Value("sockethub_push_tick_seconds_count", byRoom) ?? 0) - (before.Value("sockethub_push_tick_seconds_count", byRoom) ?? 0);
        var sum = (after.Value("sockethub_push_tick_seconds_sum", byRoom) ?? 0) - (before.Value("sockethub_push_tick_seconds_sum", byRoom) ?? 0);
        return count > 0 ? sum * 1000 / count : double.NaN;
    }

    private static JsonArray Commands(IEnumerable<CommandDelta> deltas) =>
        [.. deltas.Select(d => (JsonNode)new JsonObject { ["command"] = d.Command, ["calls"] = d.Calls, ["micros"] = d.Micros })];

    private static JsonArray Array(IEnumerable<double> values) => [.. values.Select(v => (JsonNode)Round(v))];

    private static string Join(IEnumerable<double> values, string format) =>
        string.Join(" / ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    private static double Ms(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static double Round(double value) => double.IsNaN(value) ? -1 : Math.Round(value, 1);

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellationToken)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency), cancellationToken);
        }
    }

    /// <summary>The room's size and how many admission ticks run.</summary>
    private sealed record RoomLoad(int Waiting, int Ticks);

    /// <summary>What was read at one tick boundary.</summary>
    private sealed record Snapshot(long At, CommandStats Commands, double RedisCpuSeconds, TimeSpan[] HubCpu, long[] HubRss, TimeSpan ClientCpu, PrometheusText[] HubMetrics);

    /// <summary>One tick: the snapshots around it and its admission (Stopwatch timestamps of the call and its return).</summary>
    private sealed record TickRow(int Tick, Snapshot Before, Snapshot After, int Admitted, string[] Tickets, long Called, long Returned);
}

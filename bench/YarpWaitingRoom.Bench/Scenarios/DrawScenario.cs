using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using StackExchange.Redis;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// The draw of a scheduled sale's pre-queue of 1,000,000 participants, straight against the stack's Redis with the repo's
/// <see cref="SaleDraw"/> (freeze, read, keys and order in .NET, staged in chunks, swapped in atomically): the draw's wall
/// time, the time Redis spent in it (INFO commandstats and main-thread CPU), and Redis memory before, at its peak during
/// (sampled every 50 ms on a second connection) and after; then how long until every one of 10,000 WebSockets on a hub
/// (a child process) has its position. A throwaway room: the sale is scheduled a moment ahead, the sockets' visitors join
/// its pre-queue through join.lua, the rest of the pre-queue is filled straight in (pipelined ZADD of visitor → arrival
/// number, and the sale's arrivals counter, as join.lua leaves them), and at the start the draw runs once; the room's keys
/// are removed at the end.
/// </summary>
internal static class DrawScenario
{
    public const string Name = "draw";

    public const int DefaultParticipants = 1_000_000;

    public const int DefaultSessions = 10_000;

    private const int FillChunk = 10_000;
    private const int FillChunksInFlight = 8;
    private const int KeysChecked = 1_000;
    private const int MaxActive = 5_000;
    private const double TargetDrawMs = 2_000;
    private const double TargetPositionsMs = 1_000;
    private const string ArrivalsField = "arrivals";
    private const string Instance = "bench-hub-a";

    /// <summary>Time from scheduling to the start: enough to fill the pre-queue and let an AOF rewrite it triggers finish.</summary>
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(30);

    /// <summary>More time before the start to start a hub and connect its sockets.</summary>
    private static readonly TimeSpan SocketsLead = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StartMargin = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan GreetingTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PositionsTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(int participants, int sessions, CancellationToken cancellationToken)
    {
        sessions = sessions > 0 ? HubBenchRoom.FitToFileLimit(Math.Min(sessions, participants)) : 0;
        int exitCode;
        try
        {
            await using var room = await HubBenchRoom.CreateAsync(Name, MaxActive);
            exitCode = await RunInRoomAsync(room, participants, sessions, cancellationToken);
        }
        catch (Exception ex) when (HubScenarios.IsSetupFailure(ex) || HubScenarios.IsRunFailure(ex))
        {
            Console.Error.WriteLine($"{Name}: {ex.Message}");
            exitCode = 1;
        }

        // A million members grew the append-only file by tens of megabytes: compact it again (unless Redis's own
        // automatic rewrite, triggered by that growth, is already doing it).
        using var redis = await RedisInfo.ConnectAsync();
        try
        {
            await RedisInfo.Server(redis).ExecuteAsync("BGREWRITEAOF");
        }
        catch (RedisServerException ex) when (ex.Message.Contains("already in progress", StringComparison.Ordinal))
        {
            Console.WriteLine("  the append-only file is being rewritten already");
        }

        return exitCode;
    }

    private static async Task<int> RunInRoomAsync(HubBenchRoom room, int participants, int sessions, CancellationToken cancellationToken)
    {
        var store = room.Queue;
        var server = RedisInfo.Server(room.Redis);
        var db = room.Redis.GetDatabase();
        var lead = Lead + (sessions > 0 ? SocketsLead : TimeSpan.Zero);
        Console.WriteLine($"draw: room {room.Name} at {StackEndpoints.Redis}: a sale starting in {lead.TotalSeconds:F0} s, {participants:N0} in its pre-queue ({sessions:N0} of them on a hub's WebSockets), drawn once at the start; load average {LoadAverage()}");
        var now = DateTimeOffset.UtcNow;
        var starts = now + lead;
        var (scheduled, _) = await store.Schedule.ScheduleAsync(new ScheduledEvent("bench draw", now, starts, DrawOrder.Lottery));
        if (scheduled != ScheduleOutcome.Scheduled)
        {
            Console.Error.WriteLine($"{Name}: scheduling the sale answered {scheduled}");
            return 1;
        }

        var memoryEmpty = await RedisInfo.UsedMemoryAsync(server);
        var visitors = sessions > 0 ? await room.JoinAsync(sessions, cancellationToken) : [];
        if (visitors.Any(v => !v.Ticket.EndsWith(".p", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine($"{Name}: a visitor joined outside the pre-queue");
            return 1;
        }

        var fillSeconds = await FillAsync(db, store.Keys, sessions + 1, participants - sessions, cancellationToken);
        var memoryFilled = await RedisInfo.UsedMemoryAsync(server);
        Console.WriteLine($"  filled the pre-queue to {participants:N0} in {fillSeconds:F1} s; {(memoryFilled - memoryEmpty) / (double)participants:F0} bytes per participant");

        ServiceProcess? hub = null;
        await using var clients = new HubClientSet();
        try
        {
            if (sessions > 0)
            {
                hub = await HubProcess.StartAsync(room, Instance, pushInterval: null, cancellationToken);
                var connectSeconds = await clients.ConnectAsync(visitors, (_, visitor) => room.SocketUri(hub, visitor), cancellationToken);
                await WaitForAllAsync(clients, HubMessageKind.Prequeue, GreetingTimeout, cancellationToken);
                Console.WriteLine($"  connected {sessions:N0} sockets in {connectSeconds:F1} s; each had its prequeue message");
            }

            await RedisInfo.WaitForPersistenceAsync(server, cancellationToken);
            if (DateTimeOffset.UtcNow >= starts)
            {
                Console.Error.WriteLine($"{Name}: getting ready took past the start ({lead.TotalSeconds:F0} s): nothing measured");
                return 1;
            }

            Console.WriteLine($"  waiting {(starts - DateTimeOffset.UtcNow).TotalSeconds:F1} s for the start");
            await Task.Delay(starts - DateTimeOffset.UtcNow + StartMargin, cancellationToken);

            var memoryBefore = await RedisInfo.UsedMemoryAsync(server);
            var statsBefore = await RedisInfo.CommandStatsAsync(server);
            var cpuBefore = await RedisInfo.MainThreadCpuMicrosAsync(server);
            DrawResult result;
            long started, drawn;
            long memoryPeak;
            int samples;
            CommandStats statsAfter;
            long cpuAfter;
            await using (var sampler = await RedisMemorySampler.StartAsync(SampleInterval))
            {
                var fence = await store.NextFenceAsync();
                started = Stopwatch.GetTimestamp();
                result = await store.Draw.DrawAsync(fence);
                drawn = Stopwatch.GetTimestamp();
                statsAfter = await RedisInfo.CommandStatsAsync(server);
                cpuAfter = await RedisInfo.MainThreadCpuMicrosAsync(server);
                (memoryPeak, samples) = await sampler.StopAsync();
            }

            var positions = sessions > 0 ? await PositionsAsync(clients, participants, drawn, cancellationToken) : null;
            var memoryAfter = await RedisInfo.UsedMemoryAsync(server);
            var wallMs = Milliseconds(drawn - started);
            var cpuMs = (cpuAfter - cpuBefore) / 1000.0;
            // The sampler's and this scenario's INFO calls are not the draw's.
            var deltas = CommandDelta.Between(statsBefore, statsAfter).Where(c => c.Command != "info").ToArray();
            var commandsMs = deltas.Sum(c => c.Micros) / 1000.0;
            var scriptsMs = deltas.Where(c => c.Command is "eval" or "evalsha").Sum(c => c.Micros) / 1000.0;

            var published = await db.ListLengthAsync(store.Keys.Participants);
            var placed = await db.SortedSetLengthAsync(store.Keys.Waiting);
            var ordered = await KeysAscendAsync(db, store);
            var correct = result.Outcome == DrawOutcome.Drawn && result.Participants == participants && published == participants && placed == participants
                && ordered && (positions is null || positions.Correct);

            Console.WriteLine();
            Console.WriteLine($"  outcome {result.Outcome}: {result.Participants:N0} participants drawn; published {published:N0}, waiting {placed:N0}; first {KeysChecked:N0} keys ascending: {(ordered ? "yes" : "NO")}");
            Console.WriteLine($"  draw wall time      {wallMs,7:F0} ms (target <= {TargetDrawMs:F0} ms for 1M: {(wallMs <= TargetDrawMs ? "met" : "MISSED")})");
            Console.WriteLine($"  by step             {result.Phases}");
            Console.WriteLine($"  Redis time          {cpuMs,7:F0} ms main-thread CPU; commandstats {commandsMs:F0} ms, of which the scripts (freeze, swap: atomic) {scriptsMs:F0} ms, counting the commands they run also under their own names");
            Console.WriteLine($"                      {string.Join(", ", CommandDelta.TopByMicros(deltas, 8))}");
            Console.WriteLine($"  Redis used_memory   before {Mb(memoryBefore)}, peak during {Mb(memoryPeak)} (+{Mb(memoryPeak - memoryBefore)}; {samples} samples every {SampleInterval.TotalMilliseconds:F0} ms), after {Mb(memoryAfter)}");
            if (positions is not null)
            {
                Console.WriteLine($"  positions on {sessions:N0} sockets: {positions.Received:N0} received, {positions.Distinct:N0} distinct; after the draw returned p50 {positions.P50Ms:F0} ms, p99 {positions.P99Ms:F0} ms, all by {positions.MaxMs:F0} ms (target <= {TargetPositionsMs:F0} ms: {(positions.MaxMs <= TargetPositionsMs ? "met" : "MISSED")}); from the start of the draw all by {positions.MaxMs + wallMs:F0} ms");
            }

            var json = new JsonObject
            {
                ["participants"] = participants,
                ["outcome"] = result.Outcome.ToString(),
                ["loadAverage"] = LoadAverage(),
                ["fillSeconds"] = Math.Round(fillSeconds, 2),
                ["bytesPerParticipant"] = Math.Round((memoryFilled - memoryEmpty) / (double)participants, 1),
                ["drawWallMs"] = Math.Round(wallMs, 1),
                ["drawSteps"] = result.Phases.ToString(),
                ["targetDrawMs"] = TargetDrawMs,
                ["redisCpuMs"] = Math.Round(cpuMs, 1),
                ["redisCommandsMs"] = Math.Round(commandsMs, 1),
                ["redisScriptsMs"] = Math.Round(scriptsMs, 1),
                ["redisCommands"] = new JsonObject(deltas.Select(c => KeyValuePair.Create(c.Command, (JsonNode?)new JsonObject
                {
                    ["calls"] = c.Calls,
                    ["ms"] = Math.Round(c.Micros / 1000.0, 1),
                }))),
                ["usedMemoryBefore"] = memoryBefore,
                ["usedMemoryPeak"] = memoryPeak,
                ["usedMemoryAfter"] = memoryAfter,
                ["memorySamples"] = samples,
                ["sockets"] = sessions,
            };
            if (positions is not null)
            {
                json["positionsReceived"] = positions.Received;
                json["positionsP50Ms"] = Math.Round(positions.P50Ms, 1);
                json["positionsP99Ms"] = Math.Round(positions.P99Ms, 1);
                json["positionsAllMs"] = Math.Round(positions.MaxMs, 1);
                json["targetPositionsMs"] = TargetPositionsMs;
            }

            Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
            return correct ? 0 : 1;
        }
        finally
        {
            await clients.CloseAsync();
            if (hub is not null)
            {
                HubScenarios.ReportOutput(hub);
                hub.Dispose();
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="count"/> participants straight into the pre-queue, as join.lua leaves them (visitor → arrival
    /// number from <paramref name="firstArrival"/> on, and the sale's arrivals counter), <see cref="FillChunksInFlight"/>
    /// pipelined ZADDs of <see cref="FillChunk"/> at a time; returns the seconds it took.
    /// </summary>
    private static async Task<double> FillAsync(IDatabase db, RedisKeys keys, int firstArrival, int count, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        var end = firstArrival + count;
        for (var first = firstArrival; first < end; first += FillChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = new SortedSetEntry[Math.Min(FillChunk, end - first)];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = new SortedSetEntry("v" + TicketIds.New(), first + i);
            }

            inFlight.Add(db.SortedSetAddAsync(keys.Prequeue, entries));
            if (inFlight.Count == FillChunksInFlight)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        inFlight.Add(db.HashSetAsync(keys.Schedule, ArrivalsField, end - 1));
        await Task.WhenAll(inFlight);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task WaitForAllAsync(HubClientSet clients, HubMessageKind kind, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(clients.Clients.Select(c => c.WaitForAsync(kind, cancellationToken))).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{clients.Clients.Count(c => c.Count(kind) == 0)} of {clients.Clients.Count} clients had no {kind} message after {timeout.TotalSeconds:F0} s");
        }
    }

    /// <summary>
    /// Waits (up to <see cref="PositionsTimeout"/>) until every client has a position, then when each first had it after
    /// <paramref name="drawn"/> (the draw call returned), and whether the positions are distinct places of the draw.
    /// </summary>
    private static async Task<PositionFigures> PositionsAsync(HubClientSet clients, int participants, long drawn, CancellationToken cancellationToken)
    {
        try
        {
            await WaitForAllAsync(clients, HubMessageKind.Position, PositionsTimeout, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            Console.WriteLine($"  {ex.Message}");
        }

        var firsts = clients.Clients.Select(c => c.First(HubMessageKind.Position)).OfType<HubMessage>().ToArray();
        var latencies = firsts.Select(m => Milliseconds(m.ReceivedAt - drawn)).Order().ToArray();
        var places = firsts.Select(m => m.Position).OfType<long>().ToArray();
        var distinct = places.Distinct().Count();
        var correct = firsts.Length == clients.Clients.Count && distinct == firsts.Length && places.All(p => p >= 1 && p <= participants);
        return new PositionFigures(
            firsts.Length, distinct, correct, HubScenarios.Percentile(latencies, 50), HubScenarios.Percentile(latencies, 99), latencies.LastOrDefault(double.NaN));
    }

    /// <summary>Whether the first published receipts' keys, recomputed from the revealed seed and the digest, ascend.</summary>
    private static async Task<bool> KeysAscendAsync(IDatabase db, QueueStore store)
    {
        var sale = await store.Schedule.GetAsync();
        if (sale?.Digest is null)
        {
            return false;
        }

        var receipts = await db.ListRangeAsync(store.Keys.Participants, 0, KeysChecked - 1);
        var keys = receipts.Select(r => LotteryDraw.Key(sale.Seed, sale.Digest, (string)r!)).ToArray();
        return keys.Zip(keys.Skip(1)).All(pair => string.CompareOrdinal(pair.First, pair.Second) < 0);
    }

    /// <summary>The machine's 1-minute load average (<c>/proc/loadavg</c>): the bench shares 2 cores with whatever else runs.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double Milliseconds(long stopwatchTicks) => stopwatchTicks * 1000.0 / Stopwatch.Frequency;

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:F1} MB");

    /// <summary>What the sockets saw after the draw.</summary>
    private sealed record PositionFigures(int Received, int Distinct, bool Correct, double P50Ms, double P99Ms, double MaxMs);
}

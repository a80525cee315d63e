using System.Diagnostics;
using System.Text.Json.Nodes;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Scheduling;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// The draw of a scheduled sale's pre-queue of 1,000,000 participants, straight against the stack's Redis with the repo's
/// <see cref="SaleDraw"/> (freeze, read, keys and order in .NET, staged in chunks, swapped in atomically): the draw's wall
/// time, the time Redis spent in it (INFO commandstats), and Redis memory before, at its peak during (sampled every
/// 50 ms on a second connection) and after. A throwaway room: the sale is scheduled a moment ahead, the pre-queue filled
/// straight in (pipelined ZADD of visitor → arrival number, and the sale's arrivals counter, as join.lua leaves them),
/// and at the start the draw runs once; the room's keys are removed at the end.
/// </summary>
internal static class DrawScenario
{
    public const string Name = "draw";

    public const int DefaultParticipants = 1_000_000;

    private const int FillChunk = 10_000;
    private const int FillChunksInFlight = 8;
    private const int KeysChecked = 1_000;
    private const double TargetSeconds = 2;
    private const string ArrivalsField = "arrivals";

    /// <summary>Time from scheduling to the start: enough to fill the pre-queue and let an AOF rewrite it triggers finish.</summary>
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StartMargin = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(int participants, CancellationToken cancellationToken)
    {
        var room = "benchdraw-" + Guid.NewGuid().ToString("N")[..8];
        using var redis = await RedisInfo.ConnectAsync();
        var server = RedisInfo.Server(redis);
        var store = new QueueStore(redis, room, new RoomOptions(), TimeProvider.System);
        Console.WriteLine($"draw: room {room} at {StackEndpoints.Redis}: a sale starting in {Lead.TotalSeconds:F0} s, {participants:N0} in its pre-queue, drawn once at the start");
        try
        {
            var now = DateTimeOffset.UtcNow;
            var starts = now + Lead;
            var (scheduled, _) = await store.Schedule.ScheduleAsync(new ScheduledEvent("bench draw", now, starts, DrawOrder.Lottery));
            if (scheduled != ScheduleOutcome.Scheduled)
            {
                Console.Error.WriteLine($"draw: scheduling the sale answered {scheduled}");
                return 1;
            }

            var memoryEmpty = await RedisInfo.UsedMemoryAsync(server);
            var fillSeconds = await FillAsync(redis.GetDatabase(), store.Keys, participants, cancellationToken);
            var memoryFilled = await RedisInfo.UsedMemoryAsync(server);
            Console.WriteLine($"  filled the pre-queue with {participants:N0} in {fillSeconds:F1} s; {(memoryFilled - memoryEmpty) / (double)participants:F0} bytes per participant");
            await RedisInfo.WaitForPersistenceAsync(server, cancellationToken);
            if (DateTimeOffset.UtcNow >= starts)
            {
                Console.Error.WriteLine($"draw: filling took past the start ({Lead.TotalSeconds:F0} s): nothing measured");
                return 1;
            }

            Console.WriteLine($"  waiting {(starts - DateTimeOffset.UtcNow).TotalSeconds:F1} s for the start");
            await Task.Delay(starts - DateTimeOffset.UtcNow + StartMargin, cancellationToken);

            var memoryBefore = await RedisInfo.UsedMemoryAsync(server);
            var statsBefore = await RedisInfo.CommandStatsAsync(server);
            var cpuBefore = await RedisInfo.MainThreadCpuMicrosAsync(server);
            DrawResult result;
            double wallSeconds;
            long memoryPeak;
            int samples;
            await using (var sampler = await RedisMemorySampler.StartAsync(SampleInterval))
            {
                var fence = await store.NextFenceAsync();
                var started = Stopwatch.GetTimestamp();
                result = await store.Draw.DrawAsync(fence);
                wallSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                (memoryPeak, samples) = await sampler.StopAsync();
            }

            var cpuMs = (await RedisInfo.MainThreadCpuMicrosAsync(server) - cpuBefore) / 1000.0;
            var statsAfter = await RedisInfo.CommandStatsAsync(server);
            var memoryAfter = await RedisInfo.UsedMemoryAsync(server);
            // The sampler's and this scenario's INFO calls are not the draw's.
            var deltas = CommandDelta.Between(statsBefore, statsAfter).Where(c => c.Command != "info").ToArray();
            var redisMs = deltas.Sum(c => c.Micros) / 1000.0;

            var drawn = await redis.GetDatabase().ListLengthAsync(store.Keys.Participants);
            var placed = await redis.GetDatabase().SortedSetLengthAsync(store.Keys.Waiting);
            var ordered = await KeysAscendAsync(redis.GetDatabase(), store);
            var correct = result.Outcome == DrawOutcome.Drawn && result.Participants == participants && drawn == participants && placed == participants && ordered;

            Console.WriteLine();
            Console.WriteLine($"  outcome {result.Outcome}: {result.Participants:N0} participants drawn; published {drawn:N0}, waiting {placed:N0}; first {KeysChecked:N0} keys ascending: {(ordered ? "yes" : "NO")}");
            Console.WriteLine($"  draw wall time      {wallSeconds * 1000,9:F0} ms (target <= {TargetSeconds * 1000:F0} ms for 1M: {(wallSeconds <= TargetSeconds ? "met" : "MISSED")})");
            Console.WriteLine($"  Redis time          {redisMs,9:F0} ms in commands (main-thread CPU {cpuMs:F0} ms): {string.Join(", ", CommandDelta.TopByMicros(deltas, 6))}");
            Console.WriteLine($"  Redis used_memory   before {Mb(memoryBefore)}, peak during {Mb(memoryPeak)} (+{Mb(memoryPeak - memoryBefore)}; {samples} samples every {SampleInterval.TotalMilliseconds:F0} ms), after {Mb(memoryAfter)}");

            var json = new JsonObject
            {
                ["participants"] = participants,
                ["outcome"] = result.Outcome.ToString(),
                ["fillSeconds"] = Math.Round(fillSeconds, 2),
                ["bytesPerParticipant"] = Math.Round((memoryFilled - memoryEmpty) / (double)participants, 1),
                ["drawWallMs"] = Math.Round(wallSeconds * 1000, 1),
                ["targetDrawMs"] = TargetSeconds * 1000,
                ["redisMs"] = Math.Round(redisMs, 1),
                ["redisCpuMs"] = Math.Round(cpuMs, 1),
                ["redisCommands"] = new JsonObject(deltas.Select(c => KeyValuePair.Create(c.Command, (JsonNode?)new JsonObject
                {
                    ["calls"] = c.Calls,
                    ["ms"] = Math.Round(c.Micros / 1000.0, 1),
                }))),
                ["usedMemoryBefore"] = memoryBefore,
                ["usedMemoryPeak"] = memoryPeak,
                ["usedMemoryAfter"] = memoryAfter,
                ["memorySamples"] = samples,
            };
            Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
            return correct ? 0 : 1;
        }
        finally
        {
            var removed = await RedisInfo.UnlinkAsync(redis, $"{{wr:{room}}}:*");
            Console.WriteLine($"  removed the {removed} keys of room {room}");
            try
            {
                await server.ExecuteAsync("BGREWRITEAOF");
            }
            catch (RedisServerException ex) when (ex.Message.Contains("already in progress", StringComparison.Ordinal))
            {
                Console.WriteLine("  the append-only file is being rewritten already");
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="count"/> participants straight into the pre-queue, as join.lua leaves them (visitor → arrival
    /// number 1, 2, …, and the sale's arrivals counter), <see cref="FillChunksInFlight"/> pipelined ZADDs of
    /// <see cref="FillChunk"/> at a time; returns the seconds it took.
    /// </summary>
    private static async Task<double> FillAsync(IDatabase db, RedisKeys keys, int count, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        for (var first = 1; first <= count; first += FillChunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = new SortedSetEntry[Math.Min(FillChunk, count - first + 1)];
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

        inFlight.Add(db.HashSetAsync(keys.Schedule, ArrivalsField, count));
        await Task.WhenAll(inFlight);
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
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

    private static string Mb(long bytes) => $"{bytes / 1024.0 / 1024.0:F1} MB";
}

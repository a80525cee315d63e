using System.Diagnostics;
using System.Text.Json.Nodes;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// One admission batch of 5,000 from a queue of 1,000,000, straight against the stack's Redis with the repo's
/// <see cref="QueueStore"/>: the time Redis spends in the admit script (from INFO commandstats) and the client's round
/// trip, plus the memory a waiting visitor costs. A throwaway room; its keys are removed at the end.
/// </summary>
internal static class AdmitScenario
{
    public const string Name = "admit";

    private const int Waiting = 1_000_000;
    private const int BatchSize = 5_000;
    private const int Batches = 5;
    private const int JoinsInFlight = 2_000;
    private const int ProgressEvery = 100_000;
    private const double TargetMs = 10;

    public static async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var room = "benchadmit-" + Guid.NewGuid().ToString("N")[..8];
        using var redis = await RedisInfo.ConnectAsync();
        var server = RedisInfo.Server(redis);
        var store = new QueueStore(redis, room, new RoomOptions { MaxActive = BatchSize }, TimeProvider.System);
        Console.WriteLine($"admit: fill room {room} at {StackEndpoints.Redis} with {Waiting:N0} waiting, then {Batches} batches of {BatchSize:N0}");
        try
        {
            var memoryBefore = await RedisInfo.UsedMemoryAsync(server);
            var fillSeconds = await FillAsync(store, Waiting, cancellationToken);
            var bytesPerVisitor = (await RedisInfo.UsedMemoryAsync(server) - memoryBefore) / (double)Waiting;
            var (waiting, _) = await store.CountsAsync();
            Console.WriteLine($"  filled {waiting:N0} waiting in {fillSeconds:F1} s ({Waiting / fillSeconds:F0} joins/s); {bytesPerVisitor:F0} bytes per waiting visitor");
            var perKey = await MemoryPerKeyAsync(redis, store);
            Console.WriteLine($"  per waiting visitor by key (MEMORY USAGE): {string.Join(", ", perKey.Select(k => $"{k.Key} {k.Value:F0} B"))}");

            // Filling a stack Redis with AOF on usually triggers a rewrite: let its fork finish first.
            await RedisInfo.WaitForPersistenceAsync(server, cancellationToken);
            var batches = new JsonArray();
            var failed = waiting != Waiting;
            for (var batch = 1; batch <= Batches; batch++)
            {
                var fence = await store.NextFenceAsync();
                var before = await RedisInfo.CommandStatsAsync(server);
                var cpuBefore = await RedisInfo.MainThreadCpuMicrosAsync(server);
                var started = Stopwatch.GetTimestamp();
                var result = await store.AdmitAsync(fence);
                var roundTripMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var cpuMs = (await RedisInfo.MainThreadCpuMicrosAsync(server) - cpuBefore) / 1000.0;
                var after = await RedisInfo.CommandStatsAsync(server);
                // The first call may run as EVAL (script not yet cached), later ones as EVALSHA.
                var redisMs = (ScriptMicros(after) - ScriptMicros(before)) / 1000.0;
                failed |= result.Admitted != BatchSize;
                Console.WriteLine($"  batch {batch}: admitted {result.Admitted:N0}, still waiting {result.Waiting:N0}; Redis {redisMs,6:F2} ms (main-thread CPU {cpuMs,6:F2} ms), round trip {roundTripMs,6:F2} ms (target <= {TargetMs:F0} ms: {(redisMs <= TargetMs ? "met" : "MISSED")})");
                batches.Add(new JsonObject
                {
                    ["admitted"] = result.Admitted,
                    ["redisMs"] = Math.Round(redisMs, 3),
                    ["redisCpuMs"] = Math.Round(cpuMs, 3),
                    ["roundTripMs"] = Math.Round(roundTripMs, 3),
                });

                // Free the capacity again for the next batch.
                await redis.GetDatabase().KeyDeleteAsync(store.Keys.Active);
            }

            var json = new JsonObject
            {
                ["waiting"] = Waiting,
                ["batchSize"] = BatchSize,
                ["fillJoinsPerSecond"] = Math.Round(Waiting / fillSeconds, 1),
                ["bytesPerWaitingVisitor"] = Math.Round(bytesPerVisitor, 1),
                ["bytesPerWaitingVisitorByKey"] = new JsonObject(perKey.Select(k => KeyValuePair.Create(k.Key, (JsonNode?)Math.Round(k.Value, 1)))),
                ["batches"] = batches,
            };
            Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
            return failed ? 1 : 0;
        }
        finally
        {
            var removed = await RedisInfo.UnlinkAsync(redis, $"{{wr:{room}}}:*");
            Console.WriteLine($"  removed the {removed} keys of room {room}");
            // A million joins grew the append-only file by hundreds of megabytes: compact it again (unless Redis's own
            // automatic rewrite, triggered by that growth, is already doing it).
            try
            {
                await RedisInfo.Server(redis).ExecuteAsync("BGREWRITEAOF");
            }
            catch (RedisServerException ex) when (ex.Message.Contains("already in progress", StringComparison.Ordinal))
            {
                Console.WriteLine("  the append-only file is being rewritten already");
            }
        }
    }

    /// <summary>
    /// Joins <paramref name="count"/> new visitors through <paramref name="store"/> (join.lua: the keys every script and
    /// hub reads), <see cref="JoinsInFlight"/> at a time; returns the seconds it took.
    /// </summary>
    internal static async Task<double> FillAsync(QueueStore store, int count, CancellationToken cancellationToken)
    {
        long started = 0;
        long completed = 0;
        var begin = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(JoinsInFlight, count)).Select(_ => JoinManyAsync()));
        return Stopwatch.GetElapsedTime(begin).TotalSeconds;

        async Task JoinManyAsync()
        {
            while (Interlocked.Increment(ref started) <= count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await store.JoinAsync("v" + TicketIds.New(), queueOff: false);
                var done = Interlocked.Increment(ref completed);
                if (done % ProgressEvery == 0)
                {
                    Console.WriteLine($"  {done:N0} joined, {Stopwatch.GetElapsedTime(begin).TotalSeconds:F1} s");
                }
            }
        }
    }

    /// <summary>What each of the room's keys costs (MEMORY USAGE, every member counted) per waiting visitor; absent keys are left out.</summary>
    private static async Task<List<KeyValuePair<string, double>>> MemoryPerKeyAsync(ConnectionMultiplexer redis, QueueStore store)
    {
        var costs = new List<KeyValuePair<string, double>>();
        foreach (var key in new[] { store.Keys.Waiting, store.Keys.Seen, store.Keys.Joined, store.Keys.Visitors, store.Keys.Sequence })
        {
            var bytes = await redis.GetDatabase().ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", 0);
            if (!bytes.IsNull)
            {
                var full = (string)key!;
                var name = full[(full.LastIndexOf('}') + 2)..];
                costs.Add(KeyValuePair.Create(name, (long)bytes / (double)Waiting));
            }
        }

        return costs;
    }

    private static long ScriptMicros(CommandStats stats) => stats.Micros("evalsha") + stats.Micros("eval");
}

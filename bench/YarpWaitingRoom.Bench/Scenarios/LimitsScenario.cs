using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What the site-wide rate limits cost Redis, straight against the stack's Redis with the repo's
/// <see cref="RateLimitStore"/>: one decision for a known visitor's join (2 buckets: address, network) and for a new
/// visitor's (4: also the new-place buckets), one at a time (round trip and Redis time per call, from INFO
/// commandstats) and with many in flight (decisions per second); the queue's own join script measured the same way
/// for comparison, and the memory a client's buckets take. Throwaway keys, removed at the end.
/// </summary>
internal static class LimitsScenario
{
    public const string Name = "limits";

    private const int Sequential = 5_000;
    private const int Clients = 10_000;
    private const int ClientsPerNetwork = 50;

    public static async Task<int> RunAsync(int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var keys = new RateLimitKeys($"benchlimits-{run}:");
        var room = "benchlimits-" + run;
        using var redis = await RedisInfo.ConnectAsync();
        var server = RedisInfo.Server(redis);
        var store = new RateLimitStore(redis, TimeProvider.System);
        var queue = new QueueStore(redis, room, new RoomOptions(), TimeProvider.System);
        var clients = Enumerable.Range(0, Clients)
            .Select(i => ClientNetwork.Of(Address(i), 24, 64))
            .ToArray();
        Console.WriteLine($"limits: {Sequential:N0} decisions one at a time, then {concurrency} in flight for {duration.TotalSeconds:F0} s, {Clients:N0} clients in {Clients / ClientsPerNetwork} networks, at {StackEndpoints.Redis}");
        try
        {
            // Warm-up: the script is loaded once (EVAL, then EVALSHA), connections are open.
            await store.TryTakeAsync(Buckets(keys, clients[0], newVisitor: true));
            await queue.JoinAsync("vwarm", queueOff: false);

            var floor = await SequentialAsync("GET (the round-trip floor)", server, i => redis.GetDatabase().StringGetAsync(keys.Address("none", clients[i % Clients])), script: false);
            var known = await SequentialAsync("known visitor (2 buckets)", server, i => store.TryTakeAsync(Buckets(keys, clients[i % Clients], newVisitor: false)));
            var fresh = await SequentialAsync("new visitor (4 buckets)", server, i => store.TryTakeAsync(Buckets(keys, clients[i % Clients], newVisitor: true)));
            var join = await SequentialAsync("queue join (join.lua)", server, i => queue.JoinAsync("v" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), queueOff: false));
            // One bucket key's memory, and how long a client's key lives after a burst of 100 joins (then it expires).
            var burst = Buckets(keys, clients[0], newVisitor: false);
            for (var i = 0; i < 100; i++)
            {
                await store.TryTakeAsync(burst);
            }

            var bytesPerKey = (long)await redis.GetDatabase().ExecuteAsync("MEMORY", "USAGE", burst[0].Key.ToString());
            var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(burst[0].Key) ?? TimeSpan.Zero;
            var perSecond = await ConcurrentAsync(concurrency, duration, i => store.TryTakeAsync(Buckets(keys, clients[i % Clients], newVisitor: true)), cancellationToken);
            Console.WriteLine($"  {concurrency} in flight: {perSecond:F0} new-visitor decisions/s");
            Console.WriteLine($"  one bucket key: {bytesPerKey} bytes (MEMORY USAGE); after 100 joins from one address it lives {ttl.TotalSeconds:F1} s more, after one join 50 ms");

            var json = new JsonObject
            {
                ["get"] = floor,
                ["knownVisitor"] = known,
                ["newVisitor"] = fresh,
                ["queueJoin"] = join,
                ["concurrency"] = concurrency,
                ["newVisitorDecisionsPerSecond"] = Math.Round(perSecond, 0),
                ["bytesPerBucketKey"] = bytesPerKey,
            };
            Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
            return 0;
        }
        finally
        {
            var removed = await RedisInfo.UnlinkAsync(redis, $"benchlimits-{run}:*") + await RedisInfo.UnlinkAsync(redis, $"{{wr:{room}}}:*");
            Console.WriteLine($"  removed {removed} keys");
        }
    }

    /// <summary>Client <paramref name="i"/>: <see cref="ClientsPerNetwork"/> addresses per /24 in 198.18.0.0/15 (benchmarking addresses).</summary>
    private static IPAddress Address(int i) =>
        new([198, (byte)(18 + (i / ClientsPerNetwork / 256)), (byte)(i / ClientsPerNetwork % 256), (byte)(1 + (i % ClientsPerNetwork))]);

    /// <summary>The buckets of one join as the gate asks for them, with the proxies' default numbers (<c>WaitingRoom:RateLimits</c>).</summary>
    private static RateBucket[] Buckets(RateLimitKeys keys, ClientNetwork client, bool newVisitor) => newVisitor
        ?
        [
            new(keys.Address("join", client), 20, 100), new(keys.Network("join", client), 200, 1000),
            new(keys.Address("new-place", client), 5, 50), new(keys.Network("new-place", client), 50, 500),
        ]
        : [new(keys.Address("join", client), 20, 100), new(keys.Network("join", client), 200, 1000)];

    private static async Task<JsonObject> SequentialAsync<T>(string label, StackExchange.Redis.IServer server, Func<int, Task<T>> call, bool script = true)
    {
        var samples = new long[Sequential];
        var before = await RedisInfo.CommandStatsAsync(server);
        for (var i = 0; i < Sequential; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await call(i);
            samples[i] = Stopwatch.GetTimestamp() - started;
        }

        var after = await RedisInfo.CommandStatsAsync(server);
        Array.Sort(samples);
        var redisMicros = (script ? ScriptMicros(after) - ScriptMicros(before) : after.Micros("get") - before.Micros("get")) / (double)Sequential;
        var p50 = LatencyRecorder.PercentileMs(samples, 50) * 1000;
        var p99 = LatencyRecorder.PercentileMs(samples, 99) * 1000;
        Console.WriteLine($"  {label,-26} round trip p50 {p50,6:F0} µs, p99 {p99,6:F0} µs; Redis {redisMicros,5:F1} µs per call");
        return new JsonObject
        {
            ["roundTripP50Micros"] = Math.Round(p50, 1),
            ["roundTripP99Micros"] = Math.Round(p99, 1),
            ["redisMicrosPerCall"] = Math.Round(redisMicros, 2),
        };
    }

    private static async Task<double> ConcurrentAsync<T>(int concurrency, TimeSpan duration, Func<int, Task<T>> call, CancellationToken cancellationToken)
    {
        long done = 0;
        var stopAt = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var begin = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < stopAt && !cancellationToken.IsCancellationRequested)
            {
                await call((int)(Interlocked.Increment(ref done) % int.MaxValue));
            }
        }));
        return done / Stopwatch.GetElapsedTime(begin).TotalSeconds;
    }

    private static long ScriptMicros(CommandStats stats) => stats.Micros("evalsha") + stats.Micros("eval");
}

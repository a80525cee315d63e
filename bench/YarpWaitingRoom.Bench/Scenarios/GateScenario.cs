using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What the gate costs an admitted visitor: the real proxy (a child process) in front of an in-process backend stub,
/// through a gated route with a valid admission cookie and through an ungated route to the same cluster, in alternating
/// rounds of the same run (saturated: throughput, proxy CPU per request), then at light load (a few clients: the p99 a
/// request pays for the gate). Also counts the Redis commands per gated request at steady state (next to none: an admission
/// cookie is checked in memory), net of the same count over an idle period for the rest of the stack's traffic.
/// </summary>
internal static class GateScenario
{
    public const string Name = "gate";

    private const string Room = "benchgate";
    private const string GatedPath = "/api/x";
    private const string BarePath = "/bare/x";
    private const double TargetRatio = 0.95;
    private const double TargetAddedP99Ms = 0.5;
    private const double TargetAddedCpuMicros = 3;

    /// <summary>
    /// The light-load pass: few clients, so a request's latency is the path's own time rather than its wait for a CPU of a
    /// saturated machine (there the p99 follows the throughput and the neighbours' load, round by round).
    /// </summary>
    private const int LightConcurrency = 4;
    private const int LightRounds = 8;
    private static readonly TimeSpan LightRound = TimeSpan.FromSeconds(3);
    private const double TargetCommandsPerRequest = 0.01;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(int concurrency, TimeSpan roundDuration, int rounds, CancellationToken cancellationToken)
    {
        Console.WriteLine($"gate: {concurrency} concurrent clients, {rounds} alternating rounds of {roundDuration.TotalSeconds:F0} s per target");
        return await BenchProxy.RunAsync(
            Name, Room, (proxy, redis) => MeasureAsync(proxy, redis, concurrency, roundDuration, rounds, cancellationToken), cancellationToken);
    }

    private static async Task<int> MeasureAsync(ServiceProcess proxy, IServer redis, int concurrency, TimeSpan roundDuration, int rounds, CancellationToken cancellationToken)
    {
        using var gated = LoadRunner.CreateClient(proxy.Url, concurrency);
        using var bare = LoadRunner.CreateClient(proxy.Url, concurrency);
        // Both carry the cookies, so the two differ only in the gate, not in the bytes forwarded.
        var cookies = await AdmissionCookies.AdmitOnceAsync(gated, GatedPath, Room, cancellationToken);
        gated.DefaultRequestHeaders.Add("Cookie", cookies);
        bare.DefaultRequestHeaders.Add("Cookie", cookies);
        var targets = new (string Name, HttpClient Client, string Path)[]
        {
            ("gated (admission cookie)", gated, GatedPath),
            ("bare (no gate)", bare, BarePath),
        };

        foreach (var (name, client, path) in targets)
        {
            await RunTargetAsync(name, client, path, concurrency, WarmUp, cancellationToken);
        }

        // Idle baseline: what the rest of the stack (and this proxy's background loops) send while nobody calls.
        var idle = roundDuration * rounds;
        var idleBefore = await RedisInfo.CommandStatsAsync(redis);
        await Task.Delay(idle, cancellationToken);
        var idleCommands = (await RedisInfo.CommandStatsAsync(redis)).TotalCalls - idleBefore.TotalCalls - RedisInfo.CommandsPerSnapshot;

        var totals = targets.Select(t => new List<LoadResult>()).ToArray();
        var proxyCpu = new TimeSpan[targets.Length];
        long gatedCommands = 0;
        for (var round = 0; round < rounds; round++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var before = t == 0 ? await RedisInfo.CommandStatsAsync(redis) : null;
                var cpuBefore = proxy.CpuTime;
                var result = await RunTargetAsync(targets[t].Name, targets[t].Client, targets[t].Path, concurrency, roundDuration, cancellationToken);
                proxyCpu[t] += proxy.CpuTime - cpuBefore;
                if (before is not null)
                {
                    gatedCommands += (await RedisInfo.CommandStatsAsync(redis)).TotalCalls - before.TotalCalls - RedisInfo.CommandsPerSnapshot;
                }

                totals[t].Add(result);
                Console.WriteLine($"  round {round + 1}: {result.Target,-26} {result.PerSecond,8:F0} req/s  p50 {result.P50Ms,6:F2} ms  p99 {result.P99Ms,6:F2} ms  failed {result.Failed}");
            }
        }

        // Light load, alternating short rounds: the p99 added is the median of each pair's difference.
        var lightP99 = targets.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < LightRounds; round++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var result = await RunTargetAsync(targets[t].Name, targets[t].Client, targets[t].Path, LightConcurrency, LightRound, cancellationToken);
                lightP99[t].Add(result.P99Ms);
            }
        }

        var lightAdded = Median(lightP99[0].Select((g, i) => g - lightP99[1][i]));
        var (lightGated, lightBare) = (Median(lightP99[0]), Median(lightP99[1]));

        var summary = totals.Select(LoadResult.Combine).ToArray();
        var (g, b) = (summary[0], summary[1]);
        var ratio = g.PerSecond / b.PerSecond;
        var addedP99 = g.P99Ms - b.P99Ms;
        var cpuPerRequest = summary.Select((s, t) => proxyCpu[t].TotalMicroseconds / (s.Succeeded + s.Failed)).ToArray();
        var perRequest = gatedCommands / (double)g.Succeeded;
        var perRequestCorrected = (gatedCommands - (idleCommands * g.Seconds / idle.TotalSeconds)) / g.Succeeded;

        Console.WriteLine();
        Console.WriteLine($"{"target",-26} {"req/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"failed",7} {"proxy CPU us/req",17}");
        for (var t = 0; t < summary.Length; t++)
        {
            var s = summary[t];
            Console.WriteLine($"{s.Target,-26} {s.PerSecond,9:F0} {s.P50Ms,8:F2} {s.P95Ms,8:F2} {s.P99Ms,8:F2} {s.Failed,7} {cpuPerRequest[t],17:F1}");
        }

        var addedCpu = cpuPerRequest[0] - cpuPerRequest[1];
        Console.WriteLine($"ratio gated / bare throughput: {ratio:F3} (target >= {TargetRatio:F2}: {Verdict(ratio >= TargetRatio)})");
        Console.WriteLine($"proxy CPU added by the gate: {addedCpu:F1} us per request (target <= {TargetAddedCpuMicros:F0} us: {Verdict(addedCpu <= TargetAddedCpuMicros)})");
        Console.WriteLine($"p99 added by the gate at light load ({LightConcurrency} clients, median of {LightRounds} pairs of {LightRound.TotalSeconds:F0}-s rounds): {lightAdded:F2} ms " +
            $"(gated {lightGated:F2} ms, bare {lightBare:F2} ms; target <= {TargetAddedP99Ms:F1} ms: {Verdict(lightAdded <= TargetAddedP99Ms)})");
        Console.WriteLine($"p99 added by the gate at saturation ({concurrency} clients, worst round of each): {addedP99:F2} ms (follows the throughput ratio and the machine's other load)");
        Console.WriteLine($"Redis commands during gated rounds: {gatedCommands} for {g.Succeeded} requests = {perRequest:F5}/request raw");
        Console.WriteLine($"  idle baseline: {idleCommands} in {idle.TotalSeconds:F0} s; corrected: {perRequestCorrected:F5}/request (target <= {TargetCommandsPerRequest:F2}: {Verdict(perRequestCorrected <= TargetCommandsPerRequest)})");

        var json = new JsonObject
        {
            ["concurrency"] = concurrency,
            ["roundSeconds"] = roundDuration.TotalSeconds,
            ["rounds"] = rounds,
            ["gatedRequestsPerSecond"] = Math.Round(g.PerSecond, 1),
            ["bareRequestsPerSecond"] = Math.Round(b.PerSecond, 1),
            ["ratioGatedToBare"] = Math.Round(ratio, 3),
            ["gatedP50Ms"] = Math.Round(g.P50Ms, 2),
            ["bareP50Ms"] = Math.Round(b.P50Ms, 2),
            ["gatedP99Ms"] = Math.Round(g.P99Ms, 2),
            ["bareP99Ms"] = Math.Round(b.P99Ms, 2),
            ["p99AddedMs"] = Math.Round(addedP99, 2),
            ["lightConcurrency"] = LightConcurrency,
            ["lightGatedP99Ms"] = Math.Round(lightGated, 3),
            ["lightBareP99Ms"] = Math.Round(lightBare, 3),
            ["lightP99AddedMs"] = Math.Round(lightAdded, 3),
            ["proxyCpuAddedMicrosPerRequest"] = Math.Round(addedCpu, 1),
            ["gatedProxyCpuMicrosPerRequest"] = Math.Round(cpuPerRequest[0], 1),
            ["bareProxyCpuMicrosPerRequest"] = Math.Round(cpuPerRequest[1], 1),
            ["redisCommandsPerRequestRaw"] = Math.Round(perRequest, 5),
            ["redisCommandsPerRequestCorrected"] = Math.Round(perRequestCorrected, 5),
            ["redisCommandsIdleBaseline"] = idleCommands,
            ["failed"] = summary.Sum(s => s.Failed),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return summary.Sum(s => s.Failed) == 0 ? 0 : 1;
    }

    private static Task<LoadResult> RunTargetAsync(string name, HttpClient client, string path, int concurrency, TimeSpan duration, CancellationToken cancellationToken) =>
        LoadRunner.RunAsync(name, concurrency, duration, async (_, _, ct) =>
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
            return response.IsSuccessStatusCode;
        }, cancellationToken);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}

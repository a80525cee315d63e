using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// Joins per second against admitted requests per second through the same edge (the real proxy, a child process, on the
/// stack's Redis, in front of an in-process backend stub, as the gate scenario), in alternating rounds of the same run,
/// so the ratio compares the edge's work for a join with its work for an admitted request, not with a backend's. The
/// room is forced Off, one request without cookies is admitted at once (nobody waits) and its cookies are replayed by
/// every client of the admitted rounds; then it is forced On, and every request of the joins rounds comes without
/// cookies: a new visitor who joins the queue and is answered 503 with a position. The goal is joins at half the
/// admitted rate or more. Also: proxy CPU per request of each kind, and Redis commands and CPU per join.
/// <para>
/// A third kind of round has the room's proof-of-work challenge on: each request is a new visitor with a valid proof,
/// pre-computed by the bench (its visitor cookie and its challenge minted with the proxy's own signing key, solved at
/// difficulty 1: verifying costs the proxy one SHA-256 whatever the difficulty), so the proxy verifies it, and the join
/// spends it. Goal: joins with the challenge on at 0.9 of joins with it off or more.
/// </para>
/// </summary>
internal static class JoinsScenario
{
    public const string Name = "joins";

    private const string Room = "benchjoins";
    private const string GatedPath = "/api/x";
    private const double TargetJoinsPerAdmitted = 0.5;
    private const double TargetProofJoinsPerJoin = 0.9;

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(int concurrency, TimeSpan duration, int rounds, CancellationToken cancellationToken)
    {
        Console.WriteLine($"joins: {concurrency} concurrent clients, {rounds} alternating rounds of {duration.TotalSeconds:F0} s of admitted requests and of new visitors' joins");
        return await BenchProxy.RunAsync(
            Name, Room, (proxy, redis) => MeasureAsync(proxy, redis, concurrency, duration, rounds, cancellationToken), cancellationToken);
    }

    private static async Task<int> MeasureAsync(ServiceProcess proxy, IServer redis, int concurrency, TimeSpan duration, int rounds, CancellationToken cancellationToken)
    {
        using var admin = RoomStatus.CreateAdminClient(proxy.Url, ProxyProcess.AdminKey);
        using var visitor = LoadRunner.CreateClient(proxy.Url, concurrency);
        using var newcomers = LoadRunner.CreateClient(proxy.Url, concurrency);
        visitor.DefaultRequestHeaders.Add("Cookie", await AdmissionCookies.AdmitOnceAsync(visitor, GatedPath, Room, cancellationToken));
        // From here on every request without cookies waits; the admitted visitor's cookies pass whatever the mode.
        await RoomStatus.SetModeAsync(admin, Room, "On", cancellationToken);
        Console.WriteLine($"  room {Room}: mode On");

        var statuses = new ConcurrentDictionary<int, long>();
        async Task<bool> AdmittedAsync(int worker, long iteration, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, GatedPath);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await visitor.SendAsync(request, ct);
            return response.IsSuccessStatusCode;
        }

        async Task<bool> JoinAsync(int worker, long iteration, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, GatedPath);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await newcomers.SendAsync(request, ct);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
            return await IsQueuedAsync(response, ct);
        }

        var proofs = new ProvenVisitors(proxy.Environment, Room);
        var proofFailures = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        async Task<bool> ProofJoinAsync(int worker, long iteration, CancellationToken ct)
        {
            if (!proofs.TryTake(out var cookie, out var proof))
            {
                await Task.Delay(1, ct); // ran dry (a failure): no spinning
                return false;
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, GatedPath);
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add(Challenges.ChallengeService.ProofHeader, proof);
            using var response = await newcomers.SendAsync(request, ct);
            if (await IsQueuedAsync(response, ct))
            {
                return true;
            }

            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("type").GetString()
                : null;
            proofFailures.AddOrUpdate($"{(int)response.StatusCode} {problem}".TrimEnd(), 1, (_, n) => n + 1);
            return false;
        }

        var targets = new (string Name, LoadRunner.Operation Operation)[] { ("edge admitted", AdmittedAsync), ("edge joins", JoinAsync), ("edge joins+pow", ProofJoinAsync) };
        // The fastest rate any kind of request reached so far: each round with the challenge on gets enough proven
        // visitors for twice that, minted before it starts (never during: the client must not compete with the proxy).
        var fastest = 0.0;
        void TopUp(TimeSpan length)
        {
            var needed = (int)Math.Ceiling(fastest * 2 * length.TotalSeconds) + 1000;
            var took = proofs.TopUpTo(needed);
            Console.WriteLine($"  {needed:N0} visitors with a solved challenge ready ({took.TotalSeconds:F1} s to mint)");
        }

        foreach (var (name, operation) in targets)
        {
            var proving = operation == ProofJoinAsync;
            if (proving)
            {
                TopUp(WarmUp);
            }

            await SetChallengeAsync(admin, proving, cancellationToken);
            fastest = Math.Max(fastest, (await LoadRunner.RunAsync(name, concurrency, WarmUp, operation, cancellationToken)).PerSecond);
        }

        statuses.Clear();
        var before = await RoomStatus.ReadAsync(admin, Room, cancellationToken);
        var totals = targets.Select(_ => new List<LoadResult>()).ToArray();
        var proxyCpu = new TimeSpan[targets.Length];
        long joinCommands = 0;
        double joinRedisCpu = 0;
        for (var round = 0; round < rounds; round++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                if (t == 2)
                {
                    TopUp(duration);
                }

                await SetChallengeAsync(admin, t == 2, cancellationToken);
                var isJoins = t == 1;
                var commandsBefore = isJoins ? await RedisInfo.CommandStatsAsync(redis) : null;
                var redisCpuBefore = isJoins ? await RedisInfo.CpuSecondsAsync(redis) : 0;
                var cpuBefore = proxy.CpuTime;
                var result = await LoadRunner.RunAsync(targets[t].Name, concurrency, duration, targets[t].Operation, cancellationToken);
                proxyCpu[t] += proxy.CpuTime - cpuBefore;
                if (commandsBefore is not null)
                {
                    joinRedisCpu += await RedisInfo.CpuSecondsAsync(redis) - redisCpuBefore;
                    joinCommands += (await RedisInfo.CommandStatsAsync(redis)).TotalCalls - commandsBefore.TotalCalls - RedisInfo.CommandsPerSnapshot;
                }

                totals[t].Add(result);
                fastest = Math.Max(fastest, result.PerSecond);
                Console.WriteLine($"  round {round + 1}: {result.Target,-14} {result.PerSecond,8:F0} req/s  p50 {result.P50Ms,6:F2} ms  p99 {result.P99Ms,6:F2} ms  failed {result.Failed}");
            }
        }

        var after = await RoomStatus.ReadAsync(admin, Room, cancellationToken);
        var summary = totals.Select(LoadResult.Combine).ToArray();
        var (admitted, joins, proofJoins) = (summary[0], summary[1], summary[2]);
        var cpuPerRequest = summary.Select((s, t) => proxyCpu[t].TotalMicroseconds / Math.Max(1, s.Succeeded + s.Failed)).ToArray();
        var commandsPerJoin = joinCommands / (double)Math.Max(1, joins.Succeeded);
        var redisMicrosPerJoin = joinRedisCpu * 1e6 / Math.Max(1, joins.Succeeded);
        var ratio = joins.PerSecond / admitted.PerSecond;
        var proofRatio = proofJoins.PerSecond / joins.PerSecond;

        // With the queue On admission goes on, so some of the new visitors may already be active.
        var grown = (after.Waiting - before.Waiting) + (after.Active - before.Active);
        var byStatus = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        Console.WriteLine();
        Console.WriteLine($"{"target",-14} {"req/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"errors",7} {"proxy CPU us/req",17}");
        for (var t = 0; t < summary.Length; t++)
        {
            var row = summary[t];
            Console.WriteLine($"{row.Target,-14} {row.PerSecond,9:F0} {row.P50Ms,8:F2} {row.P95Ms,8:F2} {row.P99Ms,8:F2} {row.Failed,7} {cpuPerRequest[t],17:F1}");
        }

        Console.WriteLine($"joins / admitted requests: {ratio:F2} (goal >= {TargetJoinsPerAdmitted:F1}: {(ratio >= TargetJoinsPerAdmitted ? "met" : "MISSED")})");
        Console.WriteLine($"joins with the challenge on / off: {proofRatio:F2} (goal >= {TargetProofJoinsPerJoin:F1}: {(proofRatio >= TargetProofJoinsPerJoin ? "met" : "MISSED")})");
        Console.WriteLine($"per join: {commandsPerJoin:F2} Redis commands, {redisMicrosPerJoin:F1} us Redis CPU (whole server, other traffic included)");
        Console.WriteLine($"responses to joins by status: {byStatus}");
        if (!proofFailures.IsEmpty)
        {
            Console.WriteLine($"joins with a proof not queued: {string.Join(", ", proofFailures.Select(f => $"{f.Key}: {f.Value}"))}");
        }
        Console.WriteLine($"room {Room}: waiting {before.Waiting} -> {after.Waiting}, active {before.Active} -> {after.Active}; grew by {grown} for {joins.Succeeded} joins");

        var json = new JsonObject
        {
            ["concurrency"] = concurrency,
            ["seconds"] = duration.TotalSeconds,
            ["rounds"] = rounds,
            ["joinsPerSecond"] = Math.Round(joins.PerSecond, 1),
            ["admittedPerSecond"] = Math.Round(admitted.PerSecond, 1),
            ["admittedP99Ms"] = Math.Round(admitted.P99Ms, 2),
            ["admittedErrors"] = admitted.Failed,
            ["joinsPerAdmitted"] = Math.Round(ratio, 3),
            ["proofJoinsPerSecond"] = Math.Round(proofJoins.PerSecond, 1),
            ["proofJoinsPerJoin"] = Math.Round(proofRatio, 3),
            ["proofJoinP99Ms"] = Math.Round(proofJoins.P99Ms, 2),
            ["proofJoinErrors"] = proofJoins.Failed,
            ["proofJoinProxyCpuMicrosPerRequest"] = Math.Round(cpuPerRequest[2], 1),
            ["p50Ms"] = Math.Round(joins.P50Ms, 2),
            ["p99Ms"] = Math.Round(joins.P99Ms, 2),
            ["joins"] = joins.Succeeded,
            ["errors"] = joins.Failed,
            ["admittedProxyCpuMicrosPerRequest"] = Math.Round(cpuPerRequest[0], 1),
            ["joinProxyCpuMicrosPerRequest"] = Math.Round(cpuPerRequest[1], 1),
            ["redisCommandsPerJoin"] = Math.Round(commandsPerJoin, 3),
            ["redisCpuMicrosPerJoin"] = Math.Round(redisMicrosPerJoin, 1),
            ["roomGrewBy"] = grown,
            ["statuses"] = new JsonObject(statuses.OrderBy(s => s.Key).Select(s => KeyValuePair.Create(s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)s.Value))),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return joins.Failed == 0 && admitted.Failed == 0 && proofJoins.Failed == 0 ? 0 : 1;
    }

    /// <summary>Turns the room's challenge on (difficulty 1) or off.</summary>
    private static async Task SetChallengeAsync(HttpClient admin, bool on, CancellationToken cancellationToken)
    {
        using var response = await admin.PutAsJsonAsync(
            $"/_wr/admin/rooms/{Room}/challenge", new { mode = on ? "ProofOfWork" : "None", difficulty = 1 }, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A join that waits: 503 with the waiting room's JSON body.</summary>
    private static async Task<bool> IsQueuedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return false;
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("position", out _);
    }
}

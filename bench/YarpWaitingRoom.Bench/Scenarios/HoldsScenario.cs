using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// Seat holds per second at a fixed concurrency, against one backend instance and through the internal nginx pair,
/// in alternating rounds of the same run. Each iteration holds a seat for a fresh visitor and releases it again,
/// so the 2,000 seats never run out; only the hold (POST) is timed and counted.
/// </summary>
internal static class HoldsScenario
{
    public const string Name = "holds";

    /// <summary>
    /// Untimed load per target first: fresh processes need tens of seconds of load before tiered JIT and pools settle.
    /// The pair is warmed first, so that instance B (reached only through nginx) is as warm as A.
    /// </summary>
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(int concurrency, TimeSpan roundDuration, int rounds, CancellationToken cancellationToken)
    {
        var targets = new (string Name, Uri Url)[]
        {
            ("backend-a (one instance)", StackEndpoints.BackendA),
            ("internal-lb (nginx pair)", StackEndpoints.InternalLoadBalancer),
        };
        Console.WriteLine($"holds: {concurrency} concurrent clients, {rounds} alternating rounds of {roundDuration.TotalSeconds:F0} s per target");

        var seats = await AvailableSeatsAsync(targets[0].Url, cancellationToken);
        if (seats.Length < concurrency)
        {
            Console.Error.WriteLine($"holds: need at least {concurrency} available seats, found {seats.Length}");
            return 1;
        }

        var totals = targets.Select(t => new List<LoadResult>()).ToArray();
        await WarmUpAsync(targets, seats, concurrency, cancellationToken);
        for (var round = 0; round < rounds; round++)
        {
            for (var t = 0; t < targets.Length; t++)
            {
                var result = await RunTargetAsync(targets[t].Name, targets[t].Url, seats, concurrency, roundDuration, cancellationToken);
                totals[t].Add(result);
                Console.WriteLine($"  round {round + 1}: {result.Target,-26} {result.PerSecond,8:F0} holds/s  p50 {result.P50Ms,6:F2} ms  p99 {result.P99Ms,6:F2} ms  failed {result.Failed}");
            }
        }

        var summary = totals.Select(LoadResult.Combine).ToArray();
        var ratio = summary[1].PerSecond / summary[0].PerSecond;
        Console.WriteLine();
        Console.WriteLine($"{"target",-26} {"holds/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"failed",7}");
        foreach (var s in summary)
        {
            Console.WriteLine($"{s.Target,-26} {s.PerSecond,9:F0} {s.P50Ms,8:F2} {s.P95Ms,8:F2} {s.P99Ms,8:F2} {s.Failed,7}");
        }

        Console.WriteLine($"ratio nginx pair / one instance: {ratio:F2}");

        var json = new JsonObject
        {
            ["concurrency"] = concurrency,
            ["roundSeconds"] = roundDuration.TotalSeconds,
            ["rounds"] = rounds,
            ["oneInstanceHoldsPerSecond"] = Math.Round(summary[0].PerSecond, 1),
            ["nginxPairHoldsPerSecond"] = Math.Round(summary[1].PerSecond, 1),
            ["ratioPairToOne"] = Math.Round(ratio, 3),
            ["oneInstanceP99Ms"] = Math.Round(summary[0].P99Ms, 2),
            ["nginxPairP99Ms"] = Math.Round(summary[1].P99Ms, 2),
            ["failed"] = summary.Sum(s => s.Failed),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return summary.Sum(s => s.Failed) == 0 ? 0 : 1;
    }

    private static async Task WarmUpAsync((string Name, Uri Url)[] targets, int[] seats, int concurrency, CancellationToken cancellationToken)
    {
        foreach (var (name, url) in targets.Reverse())
        {
            await RunTargetAsync(name, url, seats, concurrency, WarmUp, cancellationToken);
        }
    }

    private static async Task<LoadResult> RunTargetAsync(string name, Uri url, int[] seats, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var client = LoadRunner.CreateClient(url, concurrency);
        var runId = Guid.NewGuid().ToString("N")[..8];
        return await LoadRunner.RunAsync(name, concurrency, duration, async (worker, iteration, ct) =>
        {
            // Worker w only ever uses seats w, w + concurrency, …: no two workers contend for a seat.
            var seat = seats[(int)((worker + (iteration * concurrency)) % seats.Length)];
            var visitor = string.Create(CultureInfo.InvariantCulture, $"bench-{runId}-{worker}-{iteration}");
            using var hold = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(new { seatId = seat }) };
            hold.Headers.Add("X-WaitingRoom-Visitor", visitor);
            using var response = await client.SendAsync(hold, ct);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return false;
            }

            var holdId = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetString();
            using var release = new HttpRequestMessage(HttpMethod.Delete, $"/api/holds/{holdId}");
            release.Headers.Add("X-WaitingRoom-Visitor", visitor);
            using var released = await client.SendAsync(release, ct);
            return released.StatusCode == HttpStatusCode.NoContent;
        }, cancellationToken);
    }

    private static async Task<int[]> AvailableSeatsAsync(Uri url, CancellationToken cancellationToken)
    {
        using var client = LoadRunner.CreateClient(url, 1);
        client.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "bench-setup");
        var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", cancellationToken);
        var concertId = concerts[0].GetProperty("id").GetInt32();
        var seats = await client.GetFromJsonAsync<JsonElement>($"/api/concerts/{concertId}/seats", cancellationToken);
        return seats.EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "available")
            .Select(s => s.GetProperty("id").GetInt32())
            .ToArray();
    }
}

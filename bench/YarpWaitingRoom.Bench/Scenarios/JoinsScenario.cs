using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// Joins per second through the edge nginx, against admitted requests per second through the same edge and route in the
/// same run. First the admitted: the concert room is reset and forced Off, one request without cookies is admitted at
/// once (nobody waits) and its cookies are replayed by every client. Then the joins: with the room forced On, every
/// request without cookies is a new visitor who joins the queue and is answered 503 with a position. The goal is joins
/// at half the admitted rate or more. The room is reset and goes back to Auto afterwards.
/// </summary>
internal static class JoinsScenario
{
    public const string Name = "joins";

    private const string Room = "concert";
    private const string GatedPath = "/api/concerts";
    private const double TargetJoinsPerAdmitted = 0.5;
    private const string AdminKeyVariable = "WaitingRoom__AdminKey";

    public static async Task<int> RunAsync(int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var adminKey = AdminKey();
        if (adminKey is null)
        {
            Console.Error.WriteLine($"joins: no admin key: set {AdminKeyVariable} or run ./stack up (writes {SecretsFile})");
            return 1;
        }

        Console.WriteLine($"joins: {concurrency} concurrent new visitors for {duration.TotalSeconds:F0} s through {StackEndpoints.Edge}");
        using var admin = LoadRunner.CreateClient(StackEndpoints.Edge, 1);
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", adminKey);
        using var client = LoadRunner.CreateClient(StackEndpoints.Edge, concurrency);

        var statuses = new ConcurrentDictionary<int, long>();
        RoomCounts before, after;
        LoadResult result, admitted;
        await ResetAsync(admin, cancellationToken);
        await SetModeAsync(admin, "Off", cancellationToken);
        try
        {
            using var visitor = LoadRunner.CreateClient(StackEndpoints.Edge, concurrency);
            visitor.DefaultRequestHeaders.Add("Cookie", await AdmissionCookies.AdmitOnceAsync(visitor, GatedPath, Room, cancellationToken));
            admitted = await LoadRunner.RunAsync("edge admitted", concurrency, duration, async (_, _, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, GatedPath);
                request.Headers.Accept.ParseAdd("application/json");
                using var response = await visitor.SendAsync(request, ct);
                return response.IsSuccessStatusCode;
            }, cancellationToken);

            await SetModeAsync(admin, "On", cancellationToken);
            before = await CountsAsync(admin, cancellationToken);
            result = await LoadRunner.RunAsync("edge joins", concurrency, duration, async (_, _, ct) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, GatedPath);
                request.Headers.Accept.ParseAdd("application/json");
                using var response = await client.SendAsync(request, ct);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                return await IsQueuedAsync(response, ct);
            }, cancellationToken);
            after = await CountsAsync(admin, cancellationToken);
        }
        finally
        {
            await SetModeAsync(admin, "Auto", CancellationToken.None);
            await ResetAsync(admin, CancellationToken.None);
        }

        // With the queue On admission goes on, so some of the new visitors may already be active.
        var grown = (after.Waiting - before.Waiting) + (after.Active - before.Active);
        var byStatus = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        Console.WriteLine();
        var ratio = result.PerSecond / admitted.PerSecond;
        Console.WriteLine($"{"target",-14} {"req/s",9} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"errors",7}");
        foreach (var row in new[] { admitted, result })
        {
            Console.WriteLine($"{row.Target,-14} {row.PerSecond,9:F0} {row.P50Ms,8:F2} {row.P95Ms,8:F2} {row.P99Ms,8:F2} {row.Failed,7}");
        }

        Console.WriteLine($"joins / admitted requests: {ratio:F2} (goal >= {TargetJoinsPerAdmitted:F1}: {(ratio >= TargetJoinsPerAdmitted ? "met" : "MISSED")})");
        Console.WriteLine($"responses by status: {byStatus}");
        Console.WriteLine($"room {Room}: waiting {before.Waiting} -> {after.Waiting}, active {before.Active} -> {after.Active}; grew by {grown} for {result.Succeeded} joins");

        var json = new JsonObject
        {
            ["concurrency"] = concurrency,
            ["seconds"] = duration.TotalSeconds,
            ["joinsPerSecond"] = Math.Round(result.PerSecond, 1),
            ["admittedPerSecond"] = Math.Round(admitted.PerSecond, 1),
            ["admittedP99Ms"] = Math.Round(admitted.P99Ms, 2),
            ["admittedErrors"] = admitted.Failed,
            ["joinsPerAdmitted"] = Math.Round(ratio, 3),
            ["p50Ms"] = Math.Round(result.P50Ms, 2),
            ["p99Ms"] = Math.Round(result.P99Ms, 2),
            ["joins"] = result.Succeeded,
            ["errors"] = result.Failed,
            ["roomGrewBy"] = grown,
            ["statuses"] = new JsonObject(statuses.OrderBy(s => s.Key).Select(s => KeyValuePair.Create(s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)s.Value))),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return result.Failed == 0 && admitted.Failed == 0 ? 0 : 1;
    }

    private static async Task ResetAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        using var response = await admin.PostAsync(new Uri($"/_wr/admin/rooms/{Room}/reset", UriKind.Relative), null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A join that waits: 503 with the waiting room's JSON body (not nginx's own error page).</summary>
    private static async Task<bool> IsQueuedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable || response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return false;
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("position", out _);
    }

    private static string SecretsFile => Path.Combine(StackEndpoints.StateDirectory, "secrets.env");

    /// <summary>The admin key from the environment, else from the stack's <c>secrets.env</c> (lines <c>KEY=VALUE</c>).</summary>
    internal static string? AdminKey()
    {
        if (Environment.GetEnvironmentVariable(AdminKeyVariable) is { Length: > 0 } configured)
        {
            return configured;
        }

        return File.Exists(SecretsFile)
            ? File.ReadLines(SecretsFile)
                .Select(line => line.Trim())
                .Where(line => line.StartsWith(AdminKeyVariable + "=", StringComparison.Ordinal))
                .Select(line => line[(AdminKeyVariable.Length + 1)..].Trim('"', '\''))
                .FirstOrDefault()
            : null;
    }

    private static async Task SetModeAsync(HttpClient admin, string mode, CancellationToken cancellationToken)
    {
        using var response = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{Room}/mode", new { mode }, cancellationToken);
        response.EnsureSuccessStatusCode();
        Console.WriteLine($"  room {Room}: mode {mode}");
    }

    private static async Task<RoomCounts> CountsAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        var room = await admin.GetFromJsonAsync<JsonElement>($"/_wr/admin/rooms/{Room}", cancellationToken);
        return new RoomCounts(room.GetProperty("waiting").GetInt64(), room.GetProperty("active").GetInt64());
    }

    private readonly record struct RoomCounts(long Waiting, long Active);
}

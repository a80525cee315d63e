using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>Visitors' journeys through the whole stack: edge nginx, proxies, hubs, backends, Redis, PostgreSQL.</summary>
[Collection(JourneyGroup.Name)]
public sealed class JourneyTests(JourneyTopology stack) : IAsyncDisposable
{
    /// <summary>A failed test's output gets what the stack logged.</summary>
    public ValueTask DisposeAsync() => stack.Stack.ExplainFailureAsync();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Browser_WaitsOnThePushedPage_InEnglishAndKorean_ThenLandsOnTheFirstUrlWithTheCookie()
    {
        var artifacts = Path.Combine(stack.Stack.RepositoryRoot, "tests", "artifacts", "browser");
        Directory.CreateDirectory(artifacts);
        foreach (var shot in new[] { "waiting-en.png", "waiting-ko.png" })
        {
            File.Delete(Path.Combine(artifacts, shot));
        }

        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser", "journey.mjs")],
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = "journey",
                ["GATED_PATH"] = "/journey/api/concerts",
                ["ARTIFACTS"] = artifacts,
            },
            Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser"),
            Cancellation);

        await stack.Stack.AssertSucceededAsync(run, "browser journey");
        var result = JsonDocument.Parse(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Contains("대기 순번", result.GetProperty("steps")[1].GetProperty("text").GetString(), StringComparison.Ordinal);
        foreach (var shot in new[] { "waiting-en.png", "waiting-ko.png" })
        {
            Assert.True(new FileInfo(Path.Combine(artifacts, shot)).Length > 1000, $"screenshot {shot} missing");
        }
    }

    [Fact]
    public async Task VisitorWhoVanishes_LosesPlaceAndHolds_AndTheNextVisitorIsAdmittedAtOnce()
    {
        await SetModeAsync("concert", "On");
        try
        {
            // A waits, is admitted (at the next slow tick), enters and holds two seats.
            await using var a = await EdgeVisitor.JoinAsync(stack.Edge);
            await a.ConnectAsync(stack.Edge);
            var enterUrl = await a.AdmittedAsync(TimeSpan.Parse(JourneyTopology.SlowTick, System.Globalization.CultureInfo.InvariantCulture) + TimeSpan.FromSeconds(10));
            using (var enter = await a.Http.GetAsync(enterUrl, Cancellation))
            {
                Assert.Equal(HttpStatusCode.Found, enter.StatusCode);
            }

            var seats = await a.Http.GetFromJsonAsync<JsonElement>("/api/concerts/1/seats", Cancellation);
            var seatIds = seats.EnumerateArray().Where(s => s.GetProperty("status").GetString() == "available").Take(2).Select(s => s.GetProperty("id").GetInt32()).ToList();
            foreach (var seatId in seatIds)
            {
                using var hold = await a.Http.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
                Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
            }

            // B waits behind: the one slot is A's.
            await using var b = await EdgeVisitor.JoinAsync(stack.Edge);
            await b.ConnectAsync(stack.Edge);

            // An admitted visitor is watched for abandonment once its page on the site says it is there (the keep-alive,
            // POST /_wr/alive, into active:seen; a site without it governs its visitors by the session instead): A's page
            // beats once, and then only A's waiting-page socket keeps it seen. Wait for that before A vanishes.
            using (var alive = await a.Http.PostAsync("/_wr/alive", content: null, Cancellation))
            {
                Assert.Equal(HttpStatusCode.NoContent, alive.StatusCode);
            }

            var watched = false;
            for (var i = 0; i < 50 && !watched; i++)
            {
                var score = await ExternalProcess.RunAsync("redis-cli", ["-p", stack.RedisPort, "ZSCORE", "{wr:concert}:active:seen", a.TicketId], TimeSpan.FromSeconds(10), cancellationToken: Cancellation);
                watched = score.Output.Trim().Length > 0;
                await Task.Delay(200, Cancellation);
            }

            Assert.True(watched, "A's heartbeats after admission never reached the seen set");

            // A's network goes away and does not come back.
            await a.DropAsync();
            try
            {
                await b.AdmittedAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                var dump = string.Join(Environment.NewLine, (await EventsAsync("concert")).Select(e => string.Join(' ', e.Select(f => f.Key + "=" + f.Value))));
                Assert.Fail($"B was not admitted within 30 s of A's drop. Room events:{Environment.NewLine}{dump}");
            }

            // The reaper's abandoned event and B's admission are moments apart, not a tick apart.
            var events = await EventsAsync("concert");
            var abandoned = events.Last(e => e["type"] == "abandoned" && e["ticket"] == a.TicketId);
            var admitted = events.Last(e => e["type"] == "admitted" && e["tickets"].Split(',').Contains(b.TicketId));
            var gap = long.Parse(admitted["at"], System.Globalization.CultureInfo.InvariantCulture) - long.Parse(abandoned["at"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(gap, 0, 1500);

            // The backend released A's holds (consumer group on the room's event stream).
            using var lb = new HttpClient { BaseAddress = stack.Stack.InternalLoadBalancer };
            lb.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "observer");
            var released = false;
            for (var i = 0; i < 50 && !released; i++)
            {
                var now = await lb.GetFromJsonAsync<JsonElement>("/api/concerts/1/seats", Cancellation);
                released = now.EnumerateArray().Where(s => seatIds.Contains(s.GetProperty("id").GetInt32())).All(s => s.GetProperty("status").GetString() == "available");
                await Task.Delay(200, Cancellation);
            }

            Assert.True(released, "A's held seats were not released after abandonment");
        }
        finally
        {
            await SetModeAsync("concert", "Auto");
        }
    }

    private async Task SetModeAsync(string room, string mode)
    {
        using var admin = new HttpClient { BaseAddress = stack.Edge };
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        using var response = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/mode", new { mode }, Cancellation);
        response.EnsureSuccessStatusCode();
        // Every proxy applies a mode change within a second (pub/sub, 1-s poll as the fallback).
        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);
    }

    /// <summary>The room's event stream, read with redis-cli.</summary>
    private async Task<List<Dictionary<string, string>>> EventsAsync(string room)
    {
        var run = (await ExternalProcess.RunAsync("redis-cli", ["-p", stack.RedisPort, "--json", "XRANGE", $"{{wr:{room}}}:events", "-", "+"], TimeSpan.FromSeconds(10), cancellationToken: Cancellation))
            .EnsureSuccess("redis-cli XRANGE");
        var entries = new List<Dictionary<string, string>>();
        foreach (var entry in JsonDocument.Parse(run.Output).RootElement.EnumerateArray())
        {
            var fields = entry[1].EnumerateArray().Select(f => f.GetString()!).ToArray();
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                map[fields[i]] = fields[i + 1];
            }

            map.TryAdd("ticket", string.Empty);
            map.TryAdd("tickets", string.Empty);
            entries.Add(map);
        }

        return entries;
    }
}

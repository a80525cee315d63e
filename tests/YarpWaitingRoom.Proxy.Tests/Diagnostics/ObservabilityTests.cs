using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Diagnostics;

public sealed class ObservabilityTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task TicketStatus_HasNoEtaBeforeTheFirstAdmission_AndOneAfter()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?>
        {
            // Paused: nobody is admitted until the test says so, however slowly the joins and the first read run (with
            // On, a loaded machine let the 1-s tick admit the first visitor before the read that expects no ETA yet).
            ["Mode"] = "Paused",
            ["MaxActive"] = "1",
            ["AdmitInterval"] = "00:00:01",
        });
        var tickets = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var visitor = app.CreateBrowser();
            using var queued = await visitor.SendAsync(HttpMethod.Get, "/api/echo");
            tickets.Add((await queued.JsonAsync()).GetProperty("ticket").GetString()!);
        }

        using var client = app.CreateClient();
        async Task<JsonElement> StatusAsync(string ticket) =>
            await (await client.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation)).JsonAsync();

        var first = await StatusAsync(tickets[2]);
        Assert.Equal(JsonValueKind.Null, first.GetProperty("etaSeconds").ValueKind);
        Assert.True(first.GetProperty("queueOn").GetBoolean());

        using var admin = AdminClient(app);
        using var on = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/mode", new { mode = "On" }, Cancellation);
        AssertStatus(HttpStatusCode.OK, on);

        // The first visitor is admitted at the next tick; the room's rate (and with it the ETA) follows at the next poll.
        Assert.True(await EventuallyAsync(async () =>
        {
            var status = await StatusAsync(tickets[2]);
            return status.GetProperty("etaSeconds").ValueKind == JsonValueKind.Number && status.GetProperty("position").GetInt64() == 2;
        }, TimeSpan.FromSeconds(5)), "no ETA after the first admission");
    }

    [Fact]
    public async Task StuckAdmission_WhilePeopleWaitAndCapacityIsFree_ShowsInReadyzAndMetrics()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?>
        {
            ["Mode"] = "On",
            ["AdmitInterval"] = "00:00:01",
        });
        using var client = app.CreateClient();
        // A lock holder that never admits: the classic silently stuck queue.
        await app.Redis().StringSetAsync($"redlock:{{wr:{app.Room}}}:lock:admit", "stuck", TimeSpan.FromMinutes(1));
        using (var visitor = app.CreateBrowser())
        using (var queued = await visitor.QueuedAsync())
        {
            AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        }

        Assert.True(await EventuallyAsync(async () =>
        {
            var ready = await (await client.GetAsync("/readyz", Cancellation)).JsonAsync();
            return ready.GetProperty("checks").GetProperty("waiting-room-admission").GetProperty("status").GetString() == "Degraded";
        }, TimeSpan.FromSeconds(8)), "a stalled admission did not show in /readyz");
        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_admission_stalled{{room=\"{app.Room}\"}} 1", metrics, StringComparison.Ordinal);

        // Unblocked, admission resumes and the detail clears.
        await app.Redis().KeyDeleteAsync($"redlock:{{wr:{app.Room}}}:lock:admit");
        Assert.True(await EventuallyAsync(async () =>
        {
            var ready = await (await client.GetAsync("/readyz", Cancellation)).JsonAsync();
            return ready.GetProperty("checks").GetProperty("waiting-room-admission").GetProperty("status").GetString() == "Healthy";
        }, TimeSpan.FromSeconds(5)));
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Active));
    }

    [Fact]
    public async Task Metrics_ExposeTheGateAndRoomSeries()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["AdmitInterval"] = "00:00:01" });
        using var visitor = app.CreateBrowser();
        // Admitted at once, then passed twice on its cookie: each series of the route counts its own requests.
        for (var i = 0; i < 3; i++)
        {
            using var response = await visitor.SendAsync(HttpMethod.Get, "/api/echo");
            AssertStatus(HttpStatusCode.OK, response);
        }

        using var client = app.CreateClient();
        string metrics = string.Empty;
        Assert.True(await EventuallyAsync(async () =>
        {
            metrics = await client.GetStringAsync("/metrics", Cancellation);
            // The gate counts a request once its response is done, which can be after the client has read it.
            return metrics.Contains($"waitingroom_active{{room=\"{app.Room}\"}} 1", StringComparison.Ordinal)
                && metrics.Contains($"waitingroom_route_request_duration_seconds_count{{room=\"{app.Room}\",route=\"reservation-api\"}} 3", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(3)), "the active gauge or the route's request count did not follow");
        foreach (var series in new[]
        {
            $"waitingroom_requests_total{{room=\"{app.Room}\",route=\"reservation-api\",outcome=\"direct-admit\"}} 1",
            $"waitingroom_requests_total{{room=\"{app.Room}\",route=\"reservation-api\",outcome=\"passed\"}} 2",
            $"waitingroom_route_responses_total{{room=\"{app.Room}\",route=\"reservation-api\",code=\"200\"}} 3",
            $"waitingroom_route_request_duration_seconds_count{{room=\"{app.Room}\",route=\"reservation-api\"}} 3",
            $"waitingroom_queue_on{{room=\"{app.Room}\"}} 0",
            $"waitingroom_waiting{{room=\"{app.Room}\"}} 0",
            $"waitingroom_rate_per_second{{room=\"{app.Room}\"}}",
            "waitingroom_switch_transitions_total",
            "waitingroom_admitted_total",
            "waitingroom_abandoned_total",
            "waitingroom_wait_seconds_bucket",
        })
        {
            Assert.Contains(series, metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BackendEndSession_CountsOneEndedSession_ForItsRoom()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        using var browser = app.CreateBrowser();
        using (var admitted = await browser.SendAsync(HttpMethod.Get, "/api/echo"))
        {
            AssertStatus(HttpStatusCode.OK, admitted);
        }

        var before = CounterValue(await browser.GetStringAsync("/metrics", Cancellation), "waitingroom_sessions_ended_total", $"room=\"{app.Room}\"");
        using (var confirm = await browser.SendAsync(HttpMethod.Post, "/api/confirm"))
        {
            AssertStatus(HttpStatusCode.Created, confirm);
        }

        var after = CounterValue(await browser.GetStringAsync("/metrics", Cancellation), "waitingroom_sessions_ended_total", $"room=\"{app.Room}\"");
        Assert.Equal(0, before);
        Assert.Equal(1, after);
    }

    [Fact]
    public async Task ReusedEntryCode_OfItsOwnBrowser_IsCountedAsResumed_NotAsRefused()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        var join = await app.RoomOf().Queue.JoinAsync("v1", queueOff: true);
        var tokens = app.Tokens();
        var visitorCookie = tokens.Issue(TokenKind.Visitor, string.Empty, "v1", string.Empty, DateTimeOffset.UtcNow.AddDays(1));
        var code = tokens.Issue(TokenKind.EntryCode, app.Room, "v1", join.Ticket, DateTimeOffset.UtcNow.AddMinutes(1));
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var enter = $"/_wr/enter/{app.Room}?code={Uri.EscapeDataString(code)}";

        using (var first = await client.SendAsync(HttpMethod.Get, enter, CookieHeader(("wr_vid", visitorCookie))))
        {
            AssertStatus(HttpStatusCode.Found, first);
        }

        using (var again = await client.SendAsync(HttpMethod.Get, enter, CookieHeader(("wr_vid", visitorCookie))))
        {
            AssertStatus(HttpStatusCode.Found, again);
        }

        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        Assert.Equal(1, CounterValue(metrics, "waitingroom_entries_resumed_total", $"room=\"{app.Room}\""));
        Assert.Equal(0, CounterValue(metrics, "waitingroom_tokens_rejected_total", $"room=\"{app.Room}\",kind=\"code\",reason=\"Used\""));
        Assert.Equal(0, CounterValue(metrics, "waitingroom_tokens_rejected_total", $"room=\"{app.Room}\",kind=\"code\",reason=\"Expired\""));
    }

    /// <summary>A counter's value in Prometheus text for exactly these labels; 0 when the series is absent.</summary>
    private static double CounterValue(string metrics, string name, string labels)
    {
        var prefix = name + "{" + labels + "} ";
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}

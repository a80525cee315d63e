using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using YarpWaitingRoom.Yarp.KeepAlive;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.KeepAlive;

/// <summary>
/// The keep-alive of admitted visitors: <c>/_wr/keepalive.js</c> and <c>POST /_wr/alive</c>, on real Redis. The tests of
/// this class run one after another, so the process-wide keep-alive counters they read are theirs alone.
/// </summary>
public sealed class KeepAliveTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private static readonly Dictionary<string, string?> FastAbandon = new()
    {
        ["AbandonAfter"] = "00:00:02",
        ["HeartbeatInterval"] = "00:00:01",
    };

    [Fact]
    public async Task KeepAlive_OfAnAdmittedVisitor_KeepsItsTicketSeen_SoItIsNotReapedPastAbandonAfter()
    {
        await using var app = App(mode: "Off", settings: FastAbandon);
        using var browser = app.CreateBrowser();
        var ticket = await AdmitAsync(app, browser);
        var firstSeen = await WatchedAsync(app, browser, ticket);

        // Three times AbandonAfter, beating as the script would (a third of AbandonAfter apart).
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        var beats = 0;
        while (DateTime.UtcNow < until)
        {
            using var alive = await AliveAsync(browser);
            AssertStatus(HttpStatusCode.NoContent, alive);
            beats++;
            await Task.Delay(600, Cancellation);
        }

        Assert.True(beats > 3);
        Assert.True(await app.Redis().SortedSetScoreAsync(app.Keys().ActiveSeen, ticket) > firstSeen + 4000, "the keep-alives did not move the ticket's last-seen time");
        Assert.NotNull(await app.Redis().SortedSetScoreAsync(app.Keys().Active, ticket));
        var events = await app.Redis().StreamRangeAsync(app.Keys().Events);
        Assert.DoesNotContain(events, e => e["type"] == "abandoned");
        using var api = await browser.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, api);
    }

    [Fact]
    public async Task AdmittedVisitor_WhoStopsKeepingAlive_IsReapedWithAnAbandonedEvent_ThenTold410AdmissionEnded()
    {
        await using var app = App(mode: "Off", settings: FastAbandon);
        using var browser = app.CreateBrowser();
        var ticket = await AdmitAsync(app, browser);
        await WatchedAsync(app, browser, ticket);

        // The page is closed: nothing more is sent.
        Assert.True(await EventuallyAsync(
            async () => await app.Redis().SortedSetScoreAsync(app.Keys().Active, ticket) is null,
            TimeSpan.FromSeconds(10)), "the visitor was not reaped");
        var events = await app.Redis().StreamRangeAsync(app.Keys().Events);
        Assert.Single(events, e => e["type"] == "abandoned" && e["ticket"] == ticket);

        // A page that beats again (a tab thawed much later) is told to stop once this proxy knows the admission ended.
        HttpStatusCode status = 0;
        string body = string.Empty;
        Assert.True(await EventuallyAsync(
            async () =>
            {
                using var again = await AliveAsync(browser);
                status = again.StatusCode;
                body = await again.Content.ReadAsStringAsync(Cancellation);
                return status == HttpStatusCode.Gone;
            },
            TimeSpan.FromSeconds(5)), $"expected 410, got {(int)status}: {body}");
        Assert.Contains(ProblemTypes.AdmissionEnded, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_WithoutAnAdmissionCookie_Is403NoAdmission_AndCounted()
    {
        await using var app = App(mode: "Off");
        using var browser = app.CreateBrowser();
        var before = await CounterAsync(browser, "waitingroom_keepalives_total", "result=\"no-admission\"");

        using var alive = await AliveAsync(browser);

        AssertStatus(HttpStatusCode.Forbidden, alive);
        Assert.Equal("application/problem+json", alive.Content.Headers.ContentType?.MediaType);
        Assert.Contains(ProblemTypes.NoAdmission, await alive.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Equal(before + 1, await CounterAsync(browser, "waitingroom_keepalives_total", "result=\"no-admission\""));
    }

    [Fact]
    public async Task KeepAlive_WithForgedOversizedOrSomeoneElsesCookie_Is403_CountedAsRejected_NeverA500()
    {
        await using var app = App(mode: "Off");
        using var owner = app.CreateBrowser();
        var (_, ownerVisitor, admission) = await AdmitWithCookiesAsync(app, owner);
        using var other = app.CreateBrowser();
        var (_, otherVisitor, _) = await AdmitWithCookiesAsync(app, other);
        var cookieName = "wr_" + app.Room;
        var tampered = admission[..^2] + (admission[^2] == 'A' ? "BB" : "AA");
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var rejectedBefore = await RejectedCookiesAsync(client, app.Room);

        string[] forged =
        [
            CookieHeader(("wr_vid", ownerVisitor), (cookieName, tampered)),
            CookieHeader(("wr_vid", ownerVisitor), (cookieName, new string('A', 6000))),
            CookieHeader(("wr_vid", ownerVisitor), (cookieName, "%00%22;\\\"bad\"")),
            CookieHeader(("wr_vid", otherVisitor), (cookieName, admission)),
            CookieHeader((cookieName, admission)),
        ];
        foreach (var cookies in forged)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, WaitingRoomPaths.KeepAlive);
            request.Headers.Add("Cookie", cookies);
            using var response = await client.SendAsync(request, Cancellation);
            AssertStatus(HttpStatusCode.Forbidden, response);
            Assert.Contains(ProblemTypes.NoAdmission, await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        Assert.Equal(forged.Length, await RejectedCookiesAsync(client, app.Room) - rejectedBefore);
        Assert.Empty(app.RoomOf().KeepAlives.Drain());
    }

    [Fact]
    public async Task KeepAlive_StartedByAnotherSite_Is403CrossSite_WhileTheSitesOwnPagesPass()
    {
        await using var app = App(mode: "Off");
        using var browser = app.CreateBrowser();
        await AdmitAsync(app, browser);

        (string Header, string Value)[] crossSite =
        [
            ("Sec-Fetch-Site", "cross-site"),
            ("Sec-Fetch-Site", "same-site"),
            ("Origin", "http://evil.example"),
            ("Origin", "null"),
        ];
        foreach (var (header, value) in crossSite)
        {
            using var refused = await AliveAsync(browser, (header, value));
            AssertStatus(HttpStatusCode.Forbidden, refused);
            Assert.Contains(ProblemTypes.CrossSite, await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        Assert.Empty(app.RoomOf().KeepAlives.Drain());

        // fetch and navigator.sendBeacon from the site's own page, and a client that sends neither header.
        (string Header, string Value)[] sameOrigin = [("Sec-Fetch-Site", "same-origin"), ("Origin", "http://localhost")];
        foreach (var (header, value) in sameOrigin)
        {
            using var passed = await AliveAsync(browser, (header, value));
            AssertStatus(HttpStatusCode.NoContent, passed);
        }

        using var plain = await AliveAsync(browser);
        AssertStatus(HttpStatusCode.NoContent, plain);
    }

    [Fact]
    public async Task KeepAlive_IsPostOnly()
    {
        await using var app = App(mode: "Off");
        using var browser = app.CreateBrowser();
        await AdmitAsync(app, browser);

        using var get = await browser.GetAsync(WaitingRoomPaths.KeepAlive, Cancellation);

        AssertStatus(HttpStatusCode.MethodNotAllowed, get);
        Assert.Empty(app.RoomOf().KeepAlives.Drain());
    }

    [Fact]
    public async Task KeepAlives_OfManyRequests_AreWrittenInOneTouchPerFlush_EachTicketOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = App(mode: "Off", timeProvider: time);
        var browsers = new List<HttpClient>();
        try
        {
            var tickets = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var browser = app.CreateBrowser();
                browsers.Add(browser);
                tickets.Add(await AdmitAsync(app, browser));
            }

            using var metrics = app.CreateClient();
            var flushesBefore = await CounterAsync(metrics, "waitingroom_keepalive_flushes_total", $"room=\"{app.Room}\"");
            var ticketsBefore = await CounterAsync(metrics, "waitingroom_keepalive_tickets_total", $"room=\"{app.Room}\"");
            var acceptedBefore = await CounterAsync(metrics, "waitingroom_keepalives_total", "result=\"accepted\"");

            // Five tabs' worth of beats from each visitor, all before the flush.
            var calls = new List<Task<HttpResponseMessage>>();
            for (var beat = 0; beat < 5; beat++)
            {
                foreach (var browser in browsers)
                {
                    calls.Add(AliveAsync(browser));
                }
            }

            foreach (var response in await Task.WhenAll(calls))
            {
                using (response)
                {
                    AssertStatus(HttpStatusCode.NoContent, response);
                }
            }

            Assert.Equal(acceptedBefore + calls.Count, await CounterAsync(metrics, "waitingroom_keepalives_total", "result=\"accepted\""));
            Assert.Equal(flushesBefore, await CounterAsync(metrics, "waitingroom_keepalive_flushes_total", $"room=\"{app.Room}\""));

            time.Advance(KeepAliveFlusher.Interval);
            Assert.True(await EventuallyAsync(
                async () => await CounterAsync(metrics, "waitingroom_keepalive_flushes_total", $"room=\"{app.Room}\"") > flushesBefore,
                TimeSpan.FromSeconds(5)), "no flush");

            Assert.Equal(flushesBefore + 1, await CounterAsync(metrics, "waitingroom_keepalive_flushes_total", $"room=\"{app.Room}\""));
            Assert.Equal(ticketsBefore + 3, await CounterAsync(metrics, "waitingroom_keepalive_tickets_total", $"room=\"{app.Room}\""));
            var seenAt = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var ticket in tickets)
            {
                Assert.Equal(seenAt, await app.Redis().SortedSetScoreAsync(app.Keys().ActiveSeen, ticket));
            }

            // Nothing new, nothing written.
            time.Advance(KeepAliveFlusher.Interval);
            time.Advance(KeepAliveFlusher.Interval);
            Assert.Equal(flushesBefore + 1, await CounterAsync(metrics, "waitingroom_keepalive_flushes_total", $"room=\"{app.Room}\""));
        }
        finally
        {
            foreach (var browser in browsers)
            {
                browser.Dispose();
            }
        }
    }

    [Fact]
    public async Task KeepAliveScript_IsServedAsJavaScript_SmallWithNoDependencies_WithNosniffCachingAndSecurityHeaders()
    {
        await using var app = App(mode: "Off", settings: FastAbandon);
        using var client = app.CreateClient();

        using var response = await client.GetAsync(WaitingRoomPaths.KeepAliveScript, Cancellation);

        AssertStatus(HttpStatusCode.OK, response);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("script-src 'self'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal(KeepAliveScript.CacheControl, response.Headers.CacheControl?.ToString());
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        var script = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.InRange(Encoding.UTF8.GetByteCount(script), 200, 1500);
        Assert.Contains($"'{WaitingRoomPaths.KeepAlive}'", script, StringComparison.Ordinal);
        Assert.Contains($"'{WaitingRoomPaths.KeepAliveScript}'", script, StringComparison.Ordinal);
        // A third of the room's AbandonAfter of 2 s (every other room of this proxy has the default 30 s).
        Assert.Contains("'666'", script, StringComparison.Ordinal);
        Assert.DoesNotContain("{every}", script, StringComparison.Ordinal);
        foreach (var unsafeCode in new[] { "eval(", "new Function", "blob:", "import(", "http:", "https:" })
        {
            Assert.DoesNotContain(unsafeCode, script, StringComparison.Ordinal);
        }

        using var conditional = new HttpRequestMessage(HttpMethod.Get, WaitingRoomPaths.KeepAliveScript);
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional, Cancellation);
        AssertStatus(HttpStatusCode.NotModified, notModified);
    }

    [Theory]
    [InlineData("00:00:30", null, 10_000)]
    [InlineData("00:00:30", "00:00:04", 1_333)]
    [InlineData("00:00:02", "00:00:30", 666)]
    [InlineData("00:00:02", "00:00:01.200", 500)]
    public void Interval_IsAThirdOfTheSmallestAbandonAfter_AtLeastHalfASecond(string first, string? second, int expectedMs)
    {
        var options = new WaitingRoomOptions();
        options.Rooms["a"] = new RoomOptions { AbandonAfter = TimeSpan.Parse(first, CultureInfo.InvariantCulture) };
        if (second is not null)
        {
            options.Rooms["b"] = new RoomOptions { AbandonAfter = TimeSpan.Parse(second, CultureInfo.InvariantCulture) };
        }

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), KeepAliveScript.IntervalOf(options));
    }

    /// <summary>Admits <paramref name="browser"/> directly (the queue is off) and returns its ticket.</summary>
    private static async Task<string> AdmitAsync(ProxyApp app, HttpClient browser) => (await AdmitWithCookiesAsync(app, browser)).Ticket;

    /// <summary>Admits <paramref name="browser"/> directly; returns its ticket and the two cookies it was given.</summary>
    private static async Task<(string Ticket, string Visitor, string Admission)> AdmitWithCookiesAsync(ProxyApp app, HttpClient browser)
    {
        using var admitted = await browser.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, admitted);
        var cookies = admitted.SetCookies();
        var visitorCookie = cookies["wr_vid"];
        var admission = cookies["wr_" + app.Room];
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TokenStatus.Valid, app.Tokens().Validate(visitorCookie, TokenKind.Visitor, string.Empty, visitor: null, now, out var visitor));
        Assert.Equal(TokenStatus.Valid, app.Tokens().Validate(admission, TokenKind.Admission, app.Room, visitor!.Visitor, now, out var claims));
        return (claims!.Ticket, visitorCookie, admission);
    }

    /// <summary>One keep-alive, then waits until it reached <c>active:seen</c> (the reaper watches the ticket from then on); returns its score.</summary>
    private static async Task<double> WatchedAsync(ProxyApp app, HttpClient browser, string ticket)
    {
        using (var alive = await AliveAsync(browser))
        {
            AssertStatus(HttpStatusCode.NoContent, alive);
        }

        double? seen = null;
        Assert.True(await EventuallyAsync(
            async () => (seen = await app.Redis().SortedSetScoreAsync(app.Keys().ActiveSeen, ticket)) is not null,
            TimeSpan.FromSeconds(5)), "the keep-alive never reached active:seen");
        return seen!.Value;
    }

    private static async Task<HttpResponseMessage> AliveAsync(HttpClient browser, (string Name, string Value)? header = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WaitingRoomPaths.KeepAlive);
        if (header is { } h)
        {
            request.Headers.TryAddWithoutValidation(h.Name, h.Value);
        }

        return await browser.SendAsync(request, Cancellation);
    }

    private static Task<double> RejectedCookiesAsync(HttpClient client, string room) =>
        SumAsync(client, "waitingroom_tokens_rejected_total", $"room=\"{room}\",kind=\"cookie\",");

    private static async Task<double> CounterAsync(HttpClient client, string name, string labels)
    {
        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        var prefix = name + "{" + labels + "} ";
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static async Task<double> SumAsync(HttpClient client, string name, string labelsPrefix)
    {
        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        var prefix = name + "{" + labelsPrefix;
        double sum = 0;
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}

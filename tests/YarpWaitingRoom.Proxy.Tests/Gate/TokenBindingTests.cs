using System.Net;
using System.Text.Json;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>
/// What grants entry is bound to the visitor it was given to (the browser's signed <c>wr_vid</c>): an admission cookie or
/// an entry link copied to another browser admits no one, and a ticket seen by others shows its place but never its
/// entry link.
/// </summary>
public sealed class TokenBindingTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private ProxyApp App(string mode, Dictionary<string, string?>? settings = null)
    {
        var roomSettings = new Dictionary<string, string?>(settings ?? [], StringComparer.Ordinal) { ["Mode"] = mode };
        return new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), roomSettings);
    }

    [Fact]
    public async Task AdmissionCookie_WithoutWrVid_OrWithAnotherVisitorsOrAForgedOne_AdmitsNoOne()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitInterval"] = "00:10:00" });
        var tokens = app.Tokens();
        var now = DateTimeOffset.UtcNow;
        // Fresh (more than half of the 10-minute session left), so the gate checks it in memory alone.
        var admission = tokens.Issue(TokenKind.Admission, app.Room, "vowner", "ticket-1", now.AddMinutes(9));
        var owner = tokens.Issue(TokenKind.Visitor, string.Empty, "vowner", string.Empty, now.AddDays(1));
        var someoneElse = tokens.Issue(TokenKind.Visitor, string.Empty, "vother", string.Empty, now.AddDays(1));
        var forged = new TokenService([new SigningKey("test", new byte[32])]).Issue(TokenKind.Visitor, string.Empty, "vowner", string.Empty, now.AddDays(1));
        var expired = tokens.Issue(TokenKind.Visitor, string.Empty, "vowner", string.Empty, now.AddDays(-1));

        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        foreach (var visitorCookie in new[] { null, someoneElse, forged, expired, "garbage" })
        {
            var cookies = visitorCookie is null
                ? CookieHeader(("wr_" + app.Room, admission))
                : CookieHeader(("wr_vid", visitorCookie), ("wr_" + app.Room, admission));
            using var response = await client.SendAsync(HttpMethod.Get, "/api/echo", cookies);
            AssertStatus(HttpStatusCode.ServiceUnavailable, response);
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("wr_" + app.Room + "=;", StringComparison.Ordinal));
        }

        Assert.Empty(_backend.Visitors);
        Assert.Matches($"waitingroom_tokens_rejected_total{{room=\"{app.Room}\",kind=\"cookie\",reason=\"WrongVisitor\"}} 5\\b", await client.GetStringAsync("/metrics", Cancellation));

        // The same cookie in the hands of its own visitor is genuine and admits.
        using var own = await client.SendAsync(HttpMethod.Get, "/api/echo", CookieHeader(("wr_vid", owner), ("wr_" + app.Room, admission)));
        AssertStatus(HttpStatusCode.OK, own);
        Assert.Equal(["vowner"], _backend.Visitors);
    }

    [Fact]
    public async Task EntryLink_OpenedInABrowserWithoutTheVisitorsWrVid_Is403_AndSetsNoCookie()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitInterval"] = "00:00:01" });
        using var victim = app.CreateBrowser();
        var (ticket, _) = await QueueAsync(victim);
        var enterUrl = await EnterUrlAsync(app, victim, ticket);
        var tokens = app.Tokens();
        app.Tokens().Validate(ticket, TokenKind.Ticket, app.Room, null, DateTimeOffset.UtcNow, out var claims);
        var forgedVictim = new TokenService([new SigningKey("test", new byte[32])]).Issue(TokenKind.Visitor, string.Empty, claims!.Visitor, string.Empty, DateTimeOffset.UtcNow.AddDays(1));
        var otherVisitor = tokens.Issue(TokenKind.Visitor, string.Empty, "vthief", string.Empty, DateTimeOffset.UtcNow.AddDays(1));

        using var thief = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        foreach (var cookies in new[] { null, CookieHeader(("wr_vid", forgedVictim)), CookieHeader(("wr_vid", otherVisitor)) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, enterUrl);
            if (cookies is not null)
            {
                request.Headers.Add("Cookie", cookies);
            }

            using var stolen = await thief.SendAsync(request, Cancellation);
            AssertStatus(HttpStatusCode.Forbidden, stolen);
            Assert.Equal("urn:yarp-waiting-room:problem:foreign-code", (await stolen.JsonAsync()).GetProperty("type").GetString());
            Assert.False(stolen.Headers.Contains("Set-Cookie"), "a refused entry link set a cookie");
        }

        // The code was not used up: its own visitor still enters with it.
        using var enter = await victim.GetAsync(enterUrl, Cancellation);
        AssertStatus(HttpStatusCode.Found, enter);
        using var proxied = await victim.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, proxied);
    }

    [Fact]
    public async Task TicketStatus_OfAnAdmittedTicket_GivesTheEntryLinkOnlyToTheTicketsOwnVisitor()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitInterval"] = "00:00:01" });
        using var owner = app.CreateBrowser();
        var (ticket, _) = await QueueAsync(owner);
        var statusUrl = $"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}";
        var otherVisitor = app.Tokens().Issue(TokenKind.Visitor, string.Empty, "vstranger", string.Empty, DateTimeOffset.UtcNow.AddDays(1));
        using var stranger = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

        // Strangers (no wr_vid, or another visitor's) see the state and the place, never the link.
        var sawActive = false;
        Assert.True(await EventuallyAsync(async () =>
        {
            foreach (var cookies in new[] { null, CookieHeader(("wr_vid", otherVisitor)) })
            {
                using var status = await stranger.SendAsync(HttpMethod.Get, statusUrl, cookies);
                AssertStatus(HttpStatusCode.OK, status);
                var body = await status.JsonAsync();
                Assert.Null(EnterUrlOf(body));
                sawActive |= body.GetProperty("state").GetString() == "active";
            }

            return sawActive;
        }, TimeSpan.FromSeconds(15)), "the scheduler did not admit the visitor"); // a 1-s tick, late on a saturated machine

        using var own = await owner.GetAsync(statusUrl, Cancellation);
        var ownBody = await own.JsonAsync();
        Assert.Equal("active", ownBody.GetProperty("state").GetString());
        Assert.StartsWith($"/_wr/enter/{app.Room}?code=", EnterUrlOf(ownBody), StringComparison.Ordinal);
    }

    /// <summary>Joins as an API client (the browser keeps its wr_vid); returns the signed ticket and the 503 body.</summary>
    private static async Task<(string Ticket, JsonElement Body)> QueueAsync(HttpClient browser)
    {
        using var queued = await browser.QueuedAsync();
        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        var body = await queued.JsonAsync();
        return (body.GetProperty("ticket").GetString()!, body);
    }

    /// <summary>Polls the ticket as its own visitor until the entry link comes.</summary>
    private static async Task<string> EnterUrlAsync(ProxyApp app, HttpClient browser, string ticket)
    {
        string? enterUrl = null;
        Assert.True(await EventuallyAsync(async () =>
        {
            using var status = await browser.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation);
            enterUrl = EnterUrlOf(await status.JsonAsync());
            return enterUrl is not null;
        }, TimeSpan.FromSeconds(15)), "the scheduler did not admit the visitor"); // a 1-s tick, late on a saturated machine
        return enterUrl!;
    }

    private static string? EnterUrlOf(JsonElement body) =>
        body.TryGetProperty("enterUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
}

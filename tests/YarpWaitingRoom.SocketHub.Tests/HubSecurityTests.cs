using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

using static YarpWaitingRoom.SocketHub.Tests.HubClientExtensions;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>
/// What a hostile visitor tried against the hubs (issue 10, findings 6, 7, 9, 10): a leaked ticket, floods of pages and
/// sockets, another site's page, framing. Each test failed on the hub before the fix.
/// </summary>
public sealed partial class HubSecurityTests(RedisFixture redis) : HubTestBase(redis)
{
    private async Task<(string Visitor, string Ticket, string Token)> JoinAsync(HubApp hub, string visitor)
    {
        var joined = await hub.Queue(Redis).JoinAsync(visitor, queueOff: false);
        return (visitor, joined.Ticket, HubApp.TicketFor(hub.Room, visitor, joined.Ticket));
    }

    private static string PagePath(HubApp hub, string token) => $"/_wr/wait/{hub.Room}?t={Uri.EscapeDataString(token)}&return=%2F";

    // ---- finding 6: a leaked ticket yields no entry link ---------------------------------------------------------------

    [Fact]
    public async Task AdmissionNotice_ToConnectionsWithoutTheVisitorsCookie_HasNoEnterUrl_TheVisitorsOwnHasIt()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var (visitor, ticket, token) = await JoinAsync(hub, "v-owner");
        await using var owner = HubApp.ClientFor(visitor, ticket, token);
        await using var thief = new HubClient { Ticket = ticket, Token = token };
        // A valid wr_vid, but another visitor's: the thief's own browser.
        await using var impostor = HubApp.ClientFor("v-thief", ticket, token);
        foreach (var client in new[] { owner, thief, impostor })
        {
            await client.ConnectAsync(hub);
        }

        Assert.True(await EventuallyAsync(() => owner.Count(HubMessageKind.Position) >= 1 && thief.Count(HubMessageKind.Position) >= 1 && impostor.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(5)));
        var queue = hub.Queue(Redis);
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);

        Assert.True(await EventuallyAsync(() => owner.Count(HubMessageKind.Admitted) == 1 && thief.Count(HubMessageKind.Admitted) == 1 && impostor.Count(HubMessageKind.Admitted) == 1, TimeSpan.FromSeconds(5)));
        Assert.StartsWith($"/_wr/enter/{hub.Room}?code=", owner.Last(HubMessageKind.Admitted)!.EnterUrl, StringComparison.Ordinal);
        Assert.Null(thief.Last(HubMessageKind.Admitted)!.EnterUrl);
        Assert.Null(impostor.Last(HubMessageKind.Admitted)!.EnterUrl);
    }

    [Fact]
    public async Task AdmissionSeenOnlyByAConnectionWithoutTheCookie_IsNotDelivered_TheVisitorConnectingAfterTheClaimWindowStillGetsTheLink()
    {
        var settings = new Dictionary<string, string?> { ["ClaimWindow"] = "00:00:01", ["AbandonAfter"] = "00:00:05", ["HeartbeatInterval"] = "00:00:01" };
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", settings);
        var (visitor, ticket, token) = await JoinAsync(hub, "v-owner");
        await using var thief = new HubClient { Ticket = ticket, Token = token };
        await thief.ConnectAsync(hub, TimeSpan.FromMilliseconds(300));
        Assert.True(await EventuallyAsync(() => thief.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(5)));
        var queue = hub.Queue(Redis);
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);
        Assert.True(await EventuallyAsync(() => thief.Count(HubMessageKind.Admitted) == 1, TimeSpan.FromSeconds(5)));

        // Had the thief's notice counted as the delivery, the 1-s claim window would now be over and the admission lapsed.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancellation);
        Assert.Equal(0, (await queue.AdmitAsync(await queue.NextFenceAsync())).Expired);
        await using var owner = HubApp.ClientFor(visitor, ticket, token);
        await owner.ConnectAsync(hub);

        Assert.True(await EventuallyAsync(() => owner.Count(HubMessageKind.Admitted) == 1, TimeSpan.FromSeconds(5)), "the visitor was not told");
        Assert.StartsWith($"/_wr/enter/{hub.Room}?code=", owner.Last(HubMessageKind.Admitted)!.EnterUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitingPage_OfAnAdmittedTicket_RendersTheEntryLinkOnlyWithTheVisitorsCookie()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var (visitor, _, token) = await JoinAsync(hub, "v-owner");
        var queue = hub.Queue(Redis);
        Assert.Equal(1, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);
        using var http = hub.CreateClient();

        var stranger = await http.GetStringAsync(PagePath(hub, token), Cancellation);
        using var asOwner = new HttpRequestMessage(HttpMethod.Get, PagePath(hub, token));
        asOwner.Headers.Add("Cookie", $"wr_vid={HubApp.VisitorCookieFor(visitor)}");
        using var ownerResponse = await http.SendAsync(asOwner, Cancellation);
        var own = await ownerResponse.Content.ReadAsStringAsync(Cancellation);

        Assert.Contains("data-state=\"active\"", stranger, StringComparison.Ordinal);
        Assert.DoesNotContain("/_wr/enter/", stranger, StringComparison.Ordinal);
        Assert.Contains("\"enterUrl\":null", stranger, StringComparison.Ordinal);
        Assert.Contains($"/_wr/enter/{hub.Room}?code=", own, StringComparison.Ordinal);
    }

    // ---- finding 7: the hubs apply the visitor rate limit ---------------------------------------------------------------

    private static Dictionary<string, string?> SmallVisitorLimit => new()
    {
        ["WaitingRoom:RateLimits:VisitorPerSecond"] = "1",
        ["WaitingRoom:RateLimits:VisitorBurst"] = "3",
    };

    [Fact]
    public async Task WaitingPage_BeyondTheVisitorBurstFromOneAddress_Answers429WithRetryAfterAndProblem_AndThePlaceIsKept()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", extraSettings: SmallVisitorLimit);
        await JoinAsync(hub, "v-ahead");
        var (_, ticket, token) = await JoinAsync(hub, "v-flood");
        using var http = hub.CreateClient();

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await http.GetAsync(PagePath(hub, token), Cancellation);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var refused = await http.GetAsync(PagePath(hub, token), Cancellation);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal("urn:yarp-waiting-room:problem:rate-limited", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal((TicketState.Waiting, 2L), Place(await hub.Queue(Redis).GetStatusAsync(ticket)));
    }

    [Fact]
    public async Task WebSocketUpgrades_BeyondTheVisitorBurstFromOneAddress_AreRefusedWith429BeforeTheUpgrade_AndThePlaceIsKept()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", extraSettings: SmallVisitorLimit);
        var (visitor, ticket, token) = await JoinAsync(hub, "v-flood");
        var sockets = new List<WebSocket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                sockets.Add(await hub.ConnectAsync(token, Cancellation, visitor));
            }

            var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => hub.ConnectAsync(token, Cancellation, visitor));

            Assert.Contains("429", refused.Message, StringComparison.Ordinal);
            Assert.Equal((TicketState.Waiting, 1L), Place(await hub.Queue(Redis).GetStatusAsync(ticket)));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Abort();
                socket.Dispose();
            }
        }
    }

    // ---- finding 9: sockets per ticket, per address, and Origin ---------------------------------------------------------

    [Fact]
    public async Task FourthSocketOfOneTicket_ClosesTheOldestWith4001_TheNewestThreeStayOpen()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var (visitor, ticket, token) = await JoinAsync(hub, "v-tabs");
        var tabs = Enumerable.Range(0, 4).Select(_ => HubApp.ClientFor(visitor, ticket, token)).ToArray();
        try
        {
            foreach (var tab in tabs)
            {
                await tab.ConnectAsync(hub);
                Assert.True(await EventuallyAsync(() => tab.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(5)));
            }

            await tabs[0].ClosedAsync().WaitAsync(TimeSpan.FromSeconds(5), Cancellation);

            Assert.Equal(HubCloseCodes.Replaced, tabs[0].CloseStatus);
            Assert.Equal(4001, (int)HubCloseCodes.Replaced);
            Assert.All(tabs[1..], tab => Assert.Equal(WebSocketState.Open, tab.Socket!.State));
            Assert.Equal((TicketState.Waiting, 1L), Place(await hub.Queue(Redis).GetStatusAsync(ticket)));
        }
        finally
        {
            await Task.WhenAll(tabs.Select(t => t.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task SocketsOfOneAddress_BeyondMaxSocketsPerAddress_AreRefusedWith429BeforeTheUpgrade_UntilOneCloses()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", extraSettings: new Dictionary<string, string?> { ["SocketHub:MaxSocketsPerAddress"] = "2" });
        var visitors = new List<HubClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var (visitor, ticket, token) = await JoinAsync(hub, $"v{i}");
                var client = HubApp.ClientFor(visitor, ticket, token);
                visitors.Add(client);
                await client.ConnectAsync(hub);
            }

            var (_, _, third) = await JoinAsync(hub, "v2");
            var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => hub.ConnectAsync(third, Cancellation, "v2"));
            Assert.Contains("429", refused.Message, StringComparison.Ordinal);

            await visitors[0].Socket!.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Cancellation);
            await visitors[0].ClosedAsync().WaitAsync(TimeSpan.FromSeconds(5), Cancellation);
            var accepted = await EventuallyConnectsAsync(hub, third, "v2");
            accepted.Abort();
            accepted.Dispose();
        }
        finally
        {
            await Task.WhenAll(visitors.Select(v => v.DisposeAsync().AsTask()));
        }
    }

    private static async Task<WebSocket> EventuallyConnectsAsync(HubApp hub, string token, string visitor)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                return await hub.ConnectAsync(token, Cancellation, visitor);
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                // The closed socket's permit is released once its handler has finished.
                await Task.Delay(50, Cancellation);
            }
        }
    }

    [Theory]
    [InlineData("http://evil.example", false)]
    [InlineData("http://localhost.evil.example", false)]
    [InlineData("null", false)]
    [InlineData("http://localhost", true)]          // the host the upgrade was sent to (TestServer's)
    [InlineData("https://tickets.example", true)]   // configured in SocketHub:AllowedOrigins
    [InlineData(null, true)]                        // no Origin: not a browser
    public async Task Upgrade_ByItsOrigin_IsAcceptedOnlyFromTheSiteItselfOrTheConfiguredOrigins_OthersGet403BeforeTheUpgrade(string? origin, bool accepted)
    {
        var settings = new Dictionary<string, string?> { ["SocketHub:AllowedOrigins:0"] = "https://tickets.example" };
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a", extraSettings: settings);
        var (visitor, ticket, token) = await JoinAsync(hub, "v1");
        await using var client = new HubClient { Ticket = ticket, Token = token, Cookie = HubApp.CookieFor(visitor), Origin = origin };

        if (accepted)
        {
            await client.ConnectAsync(hub);
            Assert.True(await EventuallyAsync(() => client.Count(HubMessageKind.Position) >= 1, TimeSpan.FromSeconds(5)));
            return;
        }

        var refused = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => client.ConnectAsync(hub));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        using var http = hub.CreateClient();
        var metrics = await http.GetStringAsync("/metrics", Cancellation);
        Assert.Matches("""sockethub_refused_total\{reason="origin"\} [1-9]""", metrics);
        Assert.Equal((TicketState.Waiting, 1L), Place(await hub.Queue(Redis).GetStatusAsync(ticket)));
    }

    [Fact]
    public async Task WaitJs_ClosesItsReconnectsOnTheHubsReplacedCode()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        using var http = hub.CreateClient();

        var script = await http.GetStringAsync("/_wr/wait-assets/wait.js", Cancellation);

        Assert.Contains($"const CLOSE_REPLACED = {(int)HubCloseCodes.Replaced};", script, StringComparison.Ordinal);
    }

    // ---- finding 10: security headers -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/metrics")]
    public async Task ManagementEndpoint_OfTheHub_AnswersDirectRequestsOnly_NotOnesTheEdgeRelayed(string path)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        using var http = hub.CreateClient();

        using var direct = await http.GetAsync(path, Cancellation);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var relayed = await http.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, relayed.StatusCode);
    }

    [Theory]
    [InlineData("page")]
    [InlineData("unknown-room-page")]
    [InlineData("/_wr/wait-assets/wait.js")]
    [InlineData("/_wr/wait-assets/wait.css")]
    [InlineData("/ws")]                          // not an upgrade: a problem response
    [InlineData("/healthz")]
    public async Task Responses_OfTheHub_CarryTheSecurityHeaders(string what)
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var (_, _, token) = await JoinAsync(hub, "v1");
        using var http = hub.CreateClient();
        var path = what switch
        {
            "page" => PagePath(hub, token),
            "unknown-room-page" => "/_wr/wait/no-such-room?t=x",
            _ => what,
        };

        using var response = await http.GetAsync(path, Cancellation);

        foreach (var (name, value) in SecurityHeaders.All)
        {
            Assert.True(response.Headers.TryGetValues(name, out var values), $"{path}: no {name}");
            Assert.Equal(value, Assert.Single(values));
        }

        Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", SecurityHeaders.ContentSecurityPolicy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitingPage_HasNoInlineScriptOrStyle_SoTheContentSecurityPolicyLetsItWork()
    {
        await using var hub = new HubApp(Fixture.ConnectionString, RoomName(), "a");
        var (_, _, token) = await JoinAsync(hub, "v1");
        using var http = hub.CreateClient();

        var html = await http.GetStringAsync(PagePath(hub, token), Cancellation);

        // Every <script> either loads a same-origin file or is a JSON data block (never executed, so no nonce is needed).
        var scripts = ScriptTag().Matches(html).Select(m => m.Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.True(tag.Contains("src=\"/_wr/wait-assets/", StringComparison.Ordinal) || tag.Contains("type=\"application/json\"", StringComparison.Ordinal), tag));
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<style", html, StringComparison.Ordinal);
        Assert.False(OnHandler().IsMatch(html), "an inline event handler");
    }

    [GeneratedRegex("<script[^>]*>")]
    private static partial Regex ScriptTag();

    [GeneratedRegex("""<[^>]+\son[a-z]+=""")]
    private static partial Regex OnHandler();
}

using System.Net;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The admission cookie: only a valid one of this room and visitor admits, and the verified ones the proxy remembers stay bounded.</summary>
public sealed class AdmissionCookieTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task ManyVisitors_VerifiedCookieCache_NeverHoldsMoreThanTwoCookiesPerSessionTheRoomsAllow()
    {
        // Two rooms allow 1 + 5 sessions: the proxy remembers at most 12 verified cookies, however many visitors come.
        await using var app = App(settings: new() { ["MaxActive"] = "5" });
        app.Settings["WaitingRoom:Rooms:concert:MaxActive"] = "1";
        app.Settings["WaitingRoom:RateLimits:JoinBurst"] = "1000";
        var tokens = app.Tokens();
        Assert.Equal(2 * (1 + 5), tokens.VerifiedCapacity);
        var most = 0;

        for (var i = 0; i < 40; i++)
        {
            using var visitor = app.CreateBrowser();
            for (var request = 0; request < 3; request++)
            {
                using var response = await visitor.SendAsync(HttpMethod.Get, "/api/echo");
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"status {(int)response.StatusCode}");
                most = Math.Max(most, tokens.VerifiedCount);
            }
        }

        Assert.InRange(most, 2, tokens.VerifiedCapacity);
    }

    [Fact]
    public async Task ForgedTamperedExpiredOtherRoomAndOtherVisitorCookies_AreRejected_AndTheVisitorWaits()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitInterval"] = "00:10:00" });
        var tokens = app.Tokens();
        var now = DateTimeOffset.UtcNow;
        var visitor = "visitor-one";
        var visitorCookie = tokens.Issue(TokenKind.Visitor, string.Empty, visitor, string.Empty, now.AddDays(1));
        var valid = tokens.Issue(TokenKind.Admission, app.Room, visitor, "ticket-1", now.AddMinutes(5));
        var forged = new TokenService([new SigningKey("test", new byte[32])]).Issue(TokenKind.Admission, app.Room, visitor, "ticket-1", now.AddMinutes(5));
        var tampered = valid[..^3] + (valid[^3] == 'A' ? 'B' : 'A') + valid[^2..];
        var expired = tokens.Issue(TokenKind.Admission, app.Room, visitor, "ticket-1", now.AddMinutes(-1));
        var otherRoom = tokens.Issue(TokenKind.Admission, "another-room", visitor, "ticket-1", now.AddMinutes(5));
        var otherVisitor = tokens.Issue(TokenKind.Admission, app.Room, "visitor-two", "ticket-1", now.AddMinutes(5));
        var wrongKind = tokens.Issue(TokenKind.Ticket, app.Room, visitor, "ticket-1", now.AddMinutes(5));

        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        foreach (var cookie in new[] { forged, tampered, expired, otherRoom, otherVisitor, wrongKind, "garbage" })
        {
            using var response = await client.SendAsync(HttpMethod.Get, "/api/echo", CookieHeader(("wr_vid", visitorCookie), ("wr_" + app.Room, cookie)));
            AssertStatus(HttpStatusCode.ServiceUnavailable, response);
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("wr_" + app.Room + "=;", StringComparison.Ordinal));
        }

        Assert.Empty(Backend.Visitors);
    }
}

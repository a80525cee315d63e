using System.Net;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>The entry endpoint, <c>/_wr/enter/{room}?code=</c>.</summary>
public sealed class EntryCodeTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task ForgedExpiredOtherRoomAndOtherVisitorEntryCodes_AreRefused_WithoutStartingASession()
    {
        await using var app = App(mode: "On");
        var tokens = app.Tokens();
        var now = DateTimeOffset.UtcNow;
        var visitorCookie = tokens.Issue(TokenKind.Visitor, string.Empty, "v1", string.Empty, now.AddDays(1));
        var cases = new (string Code, HttpStatusCode Expected)[]
        {
            (new TokenService([new SigningKey("test", new byte[32])]).Issue(TokenKind.EntryCode, app.Room, "v1", "t1", now.AddMinutes(1)), HttpStatusCode.BadRequest),
            (tokens.Issue(TokenKind.EntryCode, app.Room, "v1", "t1", now.AddSeconds(-1)), HttpStatusCode.BadRequest),
            (tokens.Issue(TokenKind.EntryCode, "another-room", "v1", "t1", now.AddMinutes(1)), HttpStatusCode.BadRequest),
            (tokens.Issue(TokenKind.Admission, app.Room, "v1", "t1", now.AddMinutes(1)), HttpStatusCode.BadRequest),
            (tokens.Issue(TokenKind.EntryCode, app.Room, "v2", "t1", now.AddMinutes(1)), HttpStatusCode.Forbidden),
            (string.Empty, HttpStatusCode.BadRequest),
            // Valid, but the admission behind it does not exist (never admitted / expired).
            (tokens.Issue(TokenKind.EntryCode, app.Room, "v1", "t-unknown", now.AddMinutes(1)), HttpStatusCode.Gone),
        };

        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        foreach (var (code, expected) in cases)
        {
            using var response = await client.SendAsync(HttpMethod.Get, $"/_wr/enter/{app.Room}?code={Uri.EscapeDataString(code)}", CookieHeader(("wr_vid", visitorCookie)));
            AssertStatus(expected, response);
            Assert.False(response.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => IsAdmissionCookie(c, app.Room)));
        }
    }
}

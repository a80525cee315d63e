using System.Net;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>The ticket status endpoint, <c>/_wr/rooms/{room}/tickets/{ticket}</c>.</summary>
public sealed class TicketStatusTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task ForgedTamperedExpiredAndOtherRoomTickets_Get400_AndNeverAPlace()
    {
        await using var app = App(mode: "On");
        var tokens = app.Tokens();
        var now = DateTimeOffset.UtcNow;
        var valid = tokens.Issue(TokenKind.Ticket, app.Room, "v1", "t1", now.AddHours(1));
        var bad = new[]
        {
            new TokenService([new SigningKey("test", new byte[32])]).Issue(TokenKind.Ticket, app.Room, "v1", "t1", now.AddHours(1)),
            valid[..^3] + (valid[^3] == 'A' ? 'B' : 'A') + valid[^2..],
            tokens.Issue(TokenKind.Ticket, app.Room, "v1", "t1", now.AddSeconds(-1)),
            tokens.Issue(TokenKind.Ticket, "another-room", "v1", "t1", now.AddHours(1)),
            tokens.Issue(TokenKind.EntryCode, app.Room, "v1", "t1", now.AddHours(1)),
            new string('x', 5000),
        };

        using var client = app.CreateClient();
        foreach (var ticket in bad)
        {
            using var response = await client.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation);
            AssertStatus(HttpStatusCode.BadRequest, response);
            Assert.Equal("urn:yarp-waiting-room:problem:invalid-ticket", (await response.JsonAsync()).GetProperty("type").GetString());
        }

        using var unknownRoom = await client.GetAsync($"/_wr/rooms/no-such-room/tickets/{Uri.EscapeDataString(valid)}", Cancellation);
        AssertStatus(HttpStatusCode.NotFound, unknownRoom);
    }
}

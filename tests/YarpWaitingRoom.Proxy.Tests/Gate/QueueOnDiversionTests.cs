using System.Net;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The queue is on: a visitor without an admission is sent to wait, a browser to the waiting page, an API client with a 503 and its place as JSON.</summary>
public sealed class QueueOnDiversionTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task ApiClient_QueueOn_Gets503WithRetryAfterAndJson_AndKeepsItsTicketOnRetry()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitInterval"] = "00:10:00" });
        using var client = app.CreateBrowser();

        using var first = await client.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.ServiceUnavailable, first);
        Assert.Equal("600", first.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var body = await first.JsonAsync();
        Assert.Equal(app.Room, body.GetProperty("room").GetString());
        Assert.Equal(1, body.GetProperty("position").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("etaSeconds").ValueKind);
        var ticket = body.GetProperty("ticket").GetString()!;
        Assert.Equal(TokenStatus.Valid, app.Tokens().Validate(ticket, TokenKind.Ticket, app.Room, null, DateTimeOffset.UtcNow, out _));
        Assert.StartsWith($"/_wr/wait/{app.Room}?t=", body.GetProperty("waitUrl").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"/ws?room={app.Room}&t=", body.GetProperty("wsUrl").GetString(), StringComparison.Ordinal);

        using var again = await client.SendAsync(HttpMethod.Post, "/api/echo");
        var second = await again.JsonAsync();
        app.Tokens().Validate(ticket, TokenKind.Ticket, app.Room, null, DateTimeOffset.UtcNow, out var firstClaims);
        app.Tokens().Validate(second.GetProperty("ticket").GetString(), TokenKind.Ticket, app.Room, null, DateTimeOffset.UtcNow, out var secondClaims);
        Assert.Equal(firstClaims!.Ticket, secondClaims!.Ticket);
        Assert.Equal(1, second.GetProperty("position").GetInt64());
        Assert.Empty(Backend.Visitors);
    }

    [Fact]
    public async Task HtmlNavigation_QueueOn_RedirectsToTheWaitingPage_WithTheReturnUrl()
    {
        await using var app = App(mode: "On");
        using var client = app.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo?x=1");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await client.SendAsync(request, Cancellation);

        AssertStatus(HttpStatusCode.Found, response);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith($"/_wr/wait/{app.Room}?t=", location, StringComparison.Ordinal);
        Assert.EndsWith("&return=%2Fapi%2Fecho%3Fx%3D1", location, StringComparison.Ordinal);
    }
}

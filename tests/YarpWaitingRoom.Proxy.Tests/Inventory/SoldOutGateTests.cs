using System.Net;
using System.Net.Http.Json;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Inventory;

/// <summary>
/// A sold-out room at the gate: one that closes (<c>WhenSoldOut = Close</c>) turns new visitors away without a place
/// (410 to API clients, the hubs' sold-out page to browsers) and keeps every held place; anyone waiting may give up
/// the place on purpose, and only from this site, in the browser that joined.
/// </summary>
public sealed class SoldOutGateTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private static async Task SoldOutAsync(ProxyApp app)
    {
        using var admin = AdminClient(app);
        AssertStatus(HttpStatusCode.OK, await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/inventory", new { remaining = 0 }, Cancellation));
    }

    /// <summary>A place, as an API client takes one (<see cref="ProxyTestContext.QueuedAsync(HttpClient, string)"/>).</summary>
    private static async Task<string> QueueAsync(HttpClient browser)
    {
        using var queued = await browser.QueuedAsync();
        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        var body = await queued.JsonAsync();
        Assert.True(body.TryGetProperty("ticket", out var ticket), $"no ticket: {body}");
        return ticket.GetString()!;
    }

    private static HttpRequestMessage Leave(ProxyApp app, string ticket, string? fetchSite = "same-origin")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}/leave");
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        return request;
    }

    [Fact]
    public async Task ClosedRoom_SoldOut_Answers410ToApiClients_AndTakesNoPlace_ButKeepsTheHeldOnes()
    {
        await using var app = App(mode: "Paused", settings: new() { ["WhenSoldOut"] = "Close" });
        using var holder = app.CreateBrowser();
        using var newcomer = app.CreateBrowser();
        var held = await QueueAsync(holder);
        await SoldOutAsync(app);

        using var refused = await newcomer.SendAsync(HttpMethod.Get, "/api/echo");
        using var kept = await holder.SendAsync(HttpMethod.Get, "/api/echo");

        AssertStatus(HttpStatusCode.Gone, refused);
        var problem = await refused.JsonAsync();
        Assert.Equal("urn:yarp-waiting-room:problem:sold-out", problem.GetProperty("type").GetString());
        Assert.Equal("no-store", refused.Headers.CacheControl?.ToString());
        AssertStatus(HttpStatusCode.ServiceUnavailable, kept);
        Assert.Equal(app.TicketIdOf(held), app.TicketIdOf((await kept.JsonAsync()).GetProperty("ticket").GetString()));
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
        var metrics = await app.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains("outcome=\"sold-out\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedRoom_SoldOut_SendsABrowserToTheSoldOutPage_WithWhereItWasGoing()
    {
        await using var app = App(mode: "Paused", settings: new() { ["WhenSoldOut"] = "Close" });
        using var browser = app.CreateBrowser();
        await SoldOutAsync(app);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/api/echo?seat=A1");
        page.Headers.Accept.ParseAdd("text/html");

        using var response = await browser.SendAsync(page, Cancellation);

        AssertStatus(HttpStatusCode.Found, response);
        Assert.Equal($"/_wr/wait/{app.Room}/sold-out?return=%2Fapi%2Fecho%3Fseat%3DA1", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task RoomThatKeepsItsQueue_SoldOut_StillGivesPlaces()
    {
        await using var app = App(mode: "Paused");
        using var browser = app.CreateBrowser();
        await SoldOutAsync(app);

        using var queued = await browser.QueuedAsync();

        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        Assert.True((await queued.JsonAsync()).GetProperty("soldOut").GetBoolean());
    }

    [Fact]
    public async Task Leave_ByTheVisitorWhoJoined_FreesThePlace_AndMovesTheNextUp()
    {
        await using var app = App(mode: "Paused");
        using var leaver = app.CreateBrowser();
        using var behind = app.CreateBrowser();
        var ticket = await QueueAsync(leaver);
        var next = await QueueAsync(behind);

        using var left = await leaver.SendAsync(Leave(app, ticket), Cancellation);
        using var again = await leaver.SendAsync(Leave(app, ticket), Cancellation);
        using var status = await behind.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(next)}", Cancellation);

        AssertStatus(HttpStatusCode.OK, left);
        var body = await left.JsonAsync();
        Assert.Equal("gone", body.GetProperty("state").GetString());
        Assert.Equal("left", body.GetProperty("reason").GetString());
        AssertStatus(HttpStatusCode.OK, again);
        Assert.Equal("left", (await again.JsonAsync()).GetProperty("reason").GetString());
        Assert.Equal(1, (await status.JsonAsync()).GetProperty("position").GetInt64());
        var metrics = await app.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_left_total{{room=\"{app.Room}\"}} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leave_FromAnotherBrowser_Is403_AndThePlaceIsKept()
    {
        await using var app = App(mode: "Paused");
        using var owner = app.CreateBrowser();
        using var stranger = app.CreateBrowser();
        var ticket = await QueueAsync(owner);
        await QueueAsync(stranger); // a wr_vid of its own

        using var refused = await stranger.SendAsync(Leave(app, ticket), Cancellation);

        AssertStatus(HttpStatusCode.Forbidden, refused);
        Assert.Equal("urn:yarp-waiting-room:problem:foreign-ticket", (await refused.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(2, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Theory]
    [InlineData("cross-site", null)]
    [InlineData("same-site", null)]
    [InlineData(null, "https://evil.example")]
    [InlineData(null, "null")]
    public async Task Leave_StartedByAnotherSite_Is403_AndThePlaceIsKept(string? fetchSite, string? origin)
    {
        await using var app = App(mode: "Paused");
        using var owner = app.CreateBrowser();
        var ticket = await QueueAsync(owner);
        using var request = Leave(app, ticket, fetchSite);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var refused = await owner.SendAsync(request, Cancellation);

        AssertStatus(HttpStatusCode.Forbidden, refused);
        Assert.Equal("urn:yarp-waiting-room:problem:cross-site", (await refused.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Theory]
    [InlineData("not-a-ticket")]
    [InlineData("")]
    public async Task Leave_WithAForgedTicket_Is400(string ticket)
    {
        await using var app = App(mode: "Paused");
        using var owner = app.CreateBrowser();
        await QueueAsync(owner);

        using var refused = await owner.SendAsync(Leave(app, ticket.Length == 0 ? "%20" : ticket), Cancellation);

        AssertStatus(HttpStatusCode.BadRequest, refused);
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Fact]
    public async Task Leave_AsAFormPost_SendsTheBrowserBackToTheWaitingPage()
    {
        await using var app = App(mode: "Paused");
        using var owner = app.CreateBrowser();
        var ticket = await QueueAsync(owner);
        using var request = Leave(app, ticket);
        request.Content = new FormUrlEncodedContent([]);

        using var response = await owner.SendAsync(request, Cancellation);

        AssertStatus(HttpStatusCode.Found, response);
        Assert.StartsWith($"/_wr/wait/{app.Room}?t=", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Fact]
    public async Task Leave_OfAnAdmittedVisitor_Is409_AndTheAdmissionIsKept()
    {
        await using var app = App(mode: "On");
        using var visitor = app.CreateBrowser();
        var ticket = await QueueAsync(visitor);
        Assert.True(await EventuallyAsync(async () => await app.Redis().SortedSetLengthAsync(app.Keys().Active) == 1, Within));

        using var refused = await visitor.SendAsync(Leave(app, ticket), Cancellation);

        AssertStatus(HttpStatusCode.Conflict, refused);
        Assert.Equal("urn:yarp-waiting-room:problem:no-place", (await refused.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Active));
    }
}

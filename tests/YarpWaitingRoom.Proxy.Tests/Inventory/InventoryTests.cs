using System.Net;
using System.Net.Http.Json;
using System.Text;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Inventory;

/// <summary>
/// The room's inventory through a proxy: set by an operator, or reported by the protected API's responses (batched, never
/// forwarded to the client), and bounding admission.
/// </summary>
public sealed class InventoryTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task AdminPut_SetsTheInventory_GetShowsIt_AndNullClearsIt()
    {
        await using var app = App();
        using var admin = AdminClient(app);

        using var set = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/inventory", new { remaining = 0 }, Cancellation);
        var shown = await (await admin.GetAsync($"/_wr/admin/rooms/{app.Room}/inventory", Cancellation)).JsonAsync();
        using var cleared = await admin.PutAsync($"/_wr/admin/rooms/{app.Room}/inventory", Json("""{"remaining":null}"""), Cancellation);
        var after = await (await admin.GetAsync($"/_wr/admin/rooms/{app.Room}/inventory", Cancellation)).JsonAsync();

        AssertStatus(HttpStatusCode.OK, set);
        Assert.Equal(0, shown.GetProperty("remaining").GetInt64());
        Assert.True(shown.GetProperty("soldOut").GetBoolean());
        AssertStatus(HttpStatusCode.OK, cleared);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, after.GetProperty("remaining").ValueKind);
        Assert.False(after.GetProperty("soldOut").GetBoolean());
    }

    [Theory]
    [InlineData("""{"remaining":-1}""")]
    [InlineData("""{"remaining":1.5}""")]
    [InlineData("""{"remaining":"7"}""")]
    [InlineData("""{"remaining":99999999999999999999}""")]
    [InlineData("""{}""")]
    public async Task AdminPut_AnythingButAWholeNumberOrNull_Is400NamingTheField(string body)
    {
        await using var app = App();
        using var admin = AdminClient(app);

        using var response = await admin.PutAsync($"/_wr/admin/rooms/{app.Room}/inventory", Json(body), Cancellation);

        AssertStatus(HttpStatusCode.BadRequest, response);
        var problem = await response.JsonAsync();
        Assert.Equal("urn:yarp-waiting-room:problem:invalid-inventory", problem.GetProperty("type").GetString());
        Assert.Equal("remaining", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task ResponseHeader_IsRecordedWithinASecond_AndNeverReachesTheClient_AndAnInvalidOneIsIgnored()
    {
        await using var app = App(mode: "Off");
        using var browser = app.CreateBrowser();
        AssertStatus(HttpStatusCode.OK, await browser.SendAsync(HttpMethod.Get, "/api/echo")); // admitted

        using var reported = await browser.SendAsync(HttpMethod.Get, "/api/stock?left=42");
        using var invalid = await browser.SendAsync(HttpMethod.Get, "/api/stock?left=-3");
        using var twice = await browser.SendAsync(HttpMethod.Get, "/api/stock?left=1&left=2");

        foreach (var response in new[] { reported, invalid, twice })
        {
            AssertStatus(HttpStatusCode.OK, response);
            Assert.False(response.Headers.Contains("X-WaitingRoom-Inventory"));
        }

        Assert.True(await EventuallyAsync(async () => (string?)await app.Redis().HashGetAsync(app.Keys().Inventory, "remaining") == "42", Within));
        var metrics = await app.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_inventory_refused_total{{room=\"{app.Room}\"}} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admission_IsBoundedByTheInventory_AndResumesWhenSeatsComeBack()
    {
        await using var app = App(mode: "On", settings: new() { ["AdmitPerSeat"] = "1" });
        app.Settings["WaitingRoom:RateLimits:VisitorPerSecond"] = "100000";
        app.Settings["WaitingRoom:RateLimits:VisitorBurst"] = "100000";
        using var admin = AdminClient(app);
        AssertStatus(HttpStatusCode.OK, await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/inventory", new { remaining = 2 }, Cancellation));
        var browsers = Enumerable.Range(0, 4).Select(_ => app.CreateBrowser()).ToList();
        try
        {
            foreach (var browser in browsers)
            {
                AssertStatus(HttpStatusCode.ServiceUnavailable, await browser.SendAsync(HttpMethod.Get, "/api/echo"));
            }

            Assert.True(await EventuallyAsync(async () => await app.Redis().SortedSetLengthAsync(app.Keys().Active) == 2, Within));
            await Task.Delay(TimeSpan.FromSeconds(2), Cancellation); // two more ticks: nobody else
            Assert.Equal(2, await app.Redis().SortedSetLengthAsync(app.Keys().Active));

            AssertStatus(HttpStatusCode.OK, await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/inventory", new { remaining = 4 }, Cancellation));
            Assert.True(await EventuallyAsync(async () => await app.Redis().SortedSetLengthAsync(app.Keys().Active) == 4, Within));
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public async Task SoldOut_IsSaidInTheTicketStatusAndThe503_AndThePlaceIsKept()
    {
        await using var app = App(mode: "Paused");
        using var admin = AdminClient(app);
        using var browser = app.CreateBrowser();
        AssertStatus(HttpStatusCode.OK, await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/inventory", new { remaining = 0 }, Cancellation));

        using var queued = await browser.SendAsync(HttpMethod.Get, "/api/echo");
        var body = await queued.JsonAsync();
        var ticket = body.GetProperty("ticket").GetString()!;
        Assert.True(await EventuallyAsync(async () =>
        {
            using var status = await browser.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation);
            var place = await status.JsonAsync();
            return place.GetProperty("soldOut").GetBoolean() && place.GetProperty("state").GetString() == "waiting";
        }, Within), "the ticket status did not say sold out");
        using var again = await browser.SendAsync(HttpMethod.Get, "/api/echo");
        var repeated = await again.JsonAsync();

        AssertStatus(HttpStatusCode.ServiceUnavailable, again);
        Assert.True(repeated.GetProperty("soldOut").GetBoolean());
        Assert.Equal(1, repeated.GetProperty("position").GetInt64());
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

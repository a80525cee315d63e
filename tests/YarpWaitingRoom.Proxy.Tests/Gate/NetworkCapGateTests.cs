using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>
/// The cap on waiting places per client network (<c>MaxPlacesPerNetwork</c>) at the gate: the client's address comes from
/// <c>X-Forwarded-For</c>, believed from loopback as from the edge nginx; a new place over the cap is refused with 429 and
/// the problem <c>network-cap</c>, and a visitor who holds a place still gets it back.
/// </summary>
public sealed class NetworkCapGateTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private ProxyApp CappedApp(int maxPlacesPerNetwork = 2) =>
        App(mode: "Paused", settings: new() { ["MaxPlacesPerNetwork"] = maxPlacesPerNetwork.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private static async Task<HttpResponseMessage> JoinAsync(HttpClient browser, string address, bool html = false)
    {
        using var request = Api(HttpMethod.Get, "/api/echo");
        request.Headers.Add("X-Forwarded-For", address);
        if (html)
        {
            request.Headers.Accept.Clear();
            request.Headers.Accept.ParseAdd("text/html");
        }

        return await browser.SendAsync(request, Cancellation);
    }

    private static async Task<string> QueueAsync(HttpClient browser, string address)
    {
        using var queued = await QueuedAsync(() => JoinAsync(browser, address));
        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        return (await queued.JsonAsync()).GetProperty("ticket").GetString()!;
    }

    private static async Task AssertNetworkCapAsync(HttpResponseMessage refused)
    {
        AssertStatus(HttpStatusCode.TooManyRequests, refused);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("no-store", refused.Headers.CacheControl?.ToString());
        var problem = await refused.JsonAsync();
        Assert.Equal("urn:yarp-waiting-room:problem:network-cap", problem.GetProperty("type").GetString());
        Assert.Contains("from your network", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewPlace_OverTheCap_Is429WithTheNetworkCapProblem_AndTakesNoPlace_WhileAHolderGetsItsPlaceBack()
    {
        await using var app = CappedApp(maxPlacesPerNetwork: 2);
        using var holder = app.CreateBrowser();
        using var neighbour = app.CreateBrowser();
        using var newcomer = app.CreateBrowser();
        using var elsewhere = app.CreateBrowser();
        var held = await QueueAsync(holder, "203.0.113.7");
        await QueueAsync(neighbour, "203.0.113.8");

        using var refused = await JoinAsync(newcomer, "203.0.113.200");
        var other = await QueueAsync(elsewhere, "198.51.100.7");
        using var kept = await JoinAsync(holder, "203.0.113.7");

        await AssertNetworkCapAsync(refused);
        Assert.NotEmpty(other);
        AssertStatus(HttpStatusCode.ServiceUnavailable, kept);
        Assert.Equal(app.TicketIdOf(held), app.TicketIdOf((await kept.JsonAsync()).GetProperty("ticket").GetString()));
        Assert.Equal(3, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
        var metrics = await app.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_network_cap_refused_total{{room=\"{app.Room}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"network-cap\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlNavigation_OverTheCap_Is429WithTheProblem_NotARedirectToTheWaitingPage()
    {
        await using var app = CappedApp(maxPlacesPerNetwork: 1);
        using var holder = app.CreateBrowser();
        using var newcomer = app.CreateBrowser();
        await QueueAsync(holder, "2001:db8:1:2::7");

        using var refused = await JoinAsync(newcomer, "2001:db8:1:2:ffff::1", html: true);

        await AssertNetworkCapAsync(refused);
        Assert.Null(refused.Headers.Location);
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Fact]
    public async Task AdminRoomView_ShowsTheCap_TheNetworksAtIt_AndTheBusiest_AndTheReaperSetsTheGauge()
    {
        await using var app = CappedApp(maxPlacesPerNetwork: 2);
        foreach (var address in new[] { "203.0.113.7", "203.0.113.8", "198.51.100.7" })
        {
            using var browser = app.CreateBrowser();
            await QueueAsync(browser, address);
        }

        using var admin = AdminClient(app);
        var room = await admin.GetFromJsonAsync<JsonElement>($"/_wr/admin/rooms/{app.Room}", Cancellation);

        Assert.Equal(2, room.GetProperty("maxPlacesPerNetwork").GetInt32());
        Assert.Equal(1, room.GetProperty("networksAtCap").GetInt64());
        var busiest = room.GetProperty("busiestNetworks").EnumerateArray()
            .Select(n => (n.GetProperty("network").GetString(), n.GetProperty("places").GetInt64()))
            .ToArray();
        Assert.Equal([("203.0.113.0/24", 2L), ("198.51.100.0/24", 1L)], busiest);
        // Every reap (at most every 5 s) tells the networks at the cap.
        using var scraper = app.CreateClient();
        Assert.True(
            await EventuallyAsync(
                async () => (await scraper.GetStringAsync("/metrics", Cancellation)).Contains($"waitingroom_networks_at_cap{{room=\"{app.Room}\"}} 1", StringComparison.Ordinal),
                TimeSpan.FromSeconds(20)),
            "waitingroom_networks_at_cap never showed the network at the cap");
    }
}

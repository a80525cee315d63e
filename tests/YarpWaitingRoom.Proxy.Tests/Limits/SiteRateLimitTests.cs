using System.Diagnostics;
using System.Globalization;
using System.Net;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Limits;

/// <summary>
/// The per-client limits hold for the whole site: two proxies on one Redis, as behind the edge, share every bucket;
/// joins are bounded per address and per network, new places more strictly than repeats of known visitors. The
/// client's address comes from <c>X-Forwarded-For</c>, believed from loopback as from the edge nginx.
/// </summary>
public sealed class SiteRateLimitTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private ProxyApp App(string room, Dictionary<string, string?> limits, string redisConnection, string mode = "On")
    {
        var app = new ProxyApp(redisConnection, _backend.Address, room, new Dictionary<string, string?> { ["Mode"] = mode });
        foreach (var (key, value) in limits)
        {
            app.Settings["WaitingRoom:RateLimits:" + key] = value;
        }

        return app;
    }

    private (ProxyApp A, ProxyApp B) Pair(Dictionary<string, string?> limits)
    {
        var room = RoomName();
        return (App(room, limits, redis.ConnectionString), App(room, limits, redis.ConnectionString));
    }

    private static HttpClient Client(ProxyApp app) => app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<HttpStatusCode> JoinAsync(HttpClient client, string address, string? cookies = null)
    {
        using var request = Api(HttpMethod.Get, "/api/echo", cookies);
        request.Headers.Add("X-Forwarded-For", address);
        using var response = await client.SendAsync(request, Cancellation);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal("urn:yarp-waiting-room:problem:rate-limited", (await response.JsonAsync()).GetProperty("type").GetString());
        }

        return response.StatusCode;
    }

    /// <summary>At most the burst, plus what the bucket refilled at <paramref name="perSecond"/> while the test ran.</summary>
    private static void AssertBurstPlusRefill(int allowed, int burst, int perSecond, Stopwatch elapsed) =>
        Assert.InRange(allowed, burst, burst + (int)Math.Ceiling(elapsed.Elapsed.TotalSeconds * perSecond));

    /// <summary>
    /// Thirty requests of one client, alternating between two proxies of one room with <paramref name="limits"/>: their
    /// statuses, and the time they took (what the bucket refilled meanwhile).
    /// </summary>
    private async Task<(List<HttpStatusCode> Statuses, Stopwatch Elapsed)> SplitOverTwoProxiesAsync(Dictionary<string, string?> limits, Func<HttpClient, Task<HttpStatusCode>> send)
    {
        var (a, b) = Pair(limits);
        await using (a)
        await using (b)
        {
            using var toA = Client(a);
            using var toB = Client(b);
            var elapsed = Stopwatch.StartNew();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 30; i++)
            {
                statuses.Add(await send(i % 2 == 0 ? toA : toB));
            }

            return (statuses, elapsed);
        }
    }

    [Fact]
    public async Task Joins_FromOneAddressSplitOverTwoProxies_AreBoundedByTheBurstInTotal()
    {
        var (statuses, elapsed) = await SplitOverTwoProxiesAsync(
            new() { ["JoinPerSecond"] = "1", ["JoinBurst"] = "10" },
            proxy => JoinAsync(proxy, "198.51.100.7"));

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests, s.ToString()));
        AssertBurstPlusRefill(statuses.Count(s => s == HttpStatusCode.ServiceUnavailable), burst: 10, perSecond: 1, elapsed);
    }

    [Fact]
    public async Task AdminCalls_FromOneAddressSplitOverTwoProxies_AreBoundedByTheBurstInTotal()
    {
        var (statuses, elapsed) = await SplitOverTwoProxiesAsync(
            new() { ["AdminPerSecond"] = "1", ["AdminBurst"] = "10" },
            async proxy =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/_wr/admin/rooms");
                request.Headers.Add("X-WaitingRoom-Admin-Key", ProxyApp.AdminKey);
                request.Headers.Add("X-Forwarded-For", "198.51.100.8");
                using var response = await proxy.SendAsync(request, Cancellation);
                return response.StatusCode;
            });

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, s.ToString()));
        AssertBurstPlusRefill(statuses.Count(s => s == HttpStatusCode.OK), burst: 10, perSecond: 1, elapsed);
    }

    [Theory]
    [InlineData("198.51.100.{0}", "198.51.101.1")]
    [InlineData("2001:db8:0:1::{0:x}", "2001:db8:0:2::1")]
    public async Task NewPlaces_FromManyAddressesOfOneNetwork_AreBoundedPerNetwork_AndAnotherNetworkIsNot(string addressInNetwork, string otherNetwork)
    {
        await using var app = App(RoomName(), new() { ["NewPlacePerNetworkPerSecond"] = "1", ["NewPlaceNetworkBurst"] = "5" }, redis.ConnectionString);
        using var client = Client(app);
        var elapsed = Stopwatch.StartNew();

        // Twelve cookie-less clients of one network, a new place each, were twelve places.
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 12; i++)
        {
            statuses.Add(await JoinAsync(client, string.Format(CultureInfo.InvariantCulture, addressInNetwork, i)));
        }

        var placed = statuses.Count(s => s == HttpStatusCode.ServiceUnavailable);
        Assert.Equal(12, placed + statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        AssertBurstPlusRefill(placed, burst: 5, perSecond: 1, elapsed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await JoinAsync(client, otherNetwork));

        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_new_places_total{{room=\"{app.Room}\",visitor=\"new\"}} {placed + 1}", metrics, StringComparison.Ordinal);
        Assert.Contains("waitingroom_rate_limited_total{policy=\"new-place\",reason=\"network\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewVisitors_FromOneAddress_AreBoundedByTheNewPlaceLimit_ButAKnownVisitorsRepeatsAreNot()
    {
        // Paused: the queue holds everyone and admits no one, so the first visitor is still waiting when it comes back
        // however slowly this runs (with admission every second it was admitted, and its repeats passed through).
        await using var app = App(RoomName(), new() { ["NewPlacePerSecond"] = "1", ["NewPlaceBurst"] = "3" }, redis.ConnectionString, mode: "Paused");
        using var client = Client(app);
        const string Address = "198.51.100.9";
        var elapsed = Stopwatch.StartNew();

        string? visitorCookie = null;
        var placed = 0;
        for (var i = 0; i < 15; i++)
        {
            using var request = Api(HttpMethod.Get, "/api/echo");
            request.Headers.Add("X-Forwarded-For", Address);
            using var response = await client.SendAsync(request, Cancellation);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                continue;
            }

            AssertStatus(HttpStatusCode.ServiceUnavailable, response);
            placed++;
            visitorCookie ??= "wr_vid=" + response.SetCookies()["wr_vid"];
        }

        AssertBurstPlusRefill(placed, burst: 3, perSecond: 1, elapsed);

        // The first visitor comes back with its cookie: a join of a known visitor keeps its place and costs no new place.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, await JoinAsync(client, Address, visitorCookie));
        }

        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_new_places_total{{room=\"{app.Room}\",visitor=\"new\"}} {placed}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain($"waitingroom_new_places_total{{room=\"{app.Room}\",visitor=\"known\"}}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisDown_JoinsAndAdminCalls_AreStillLimitedByEachProxy_AndNothingFails()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        await using var app = App(
            RoomName(),
            new() { ["JoinPerSecond"] = "1", ["JoinBurst"] = "3", ["AdminPerSecond"] = "1", ["AdminBurst"] = "3" },
            server.ConnectionString,
            mode: "Auto");
        app.WithProductionRedisBudget().Settings[$"WaitingRoom:Rooms:{app.Room}:FailurePolicy"] = "Open";
        using var client = Client(app);
        var multiplexer = (IConnectionMultiplexer)app.Services.GetService(typeof(IConnectionMultiplexer))!;
        await server.StopAsync(Cancellation);
        Assert.True(await EventuallyAsync(() => Task.FromResult(!multiplexer.IsConnected), TimeSpan.FromSeconds(10)));
        var elapsed = Stopwatch.StartNew();

        var joins = new List<HttpStatusCode>();
        var admin = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            joins.Add(await JoinAsync(client, "198.51.100.10"));
            using var request = new HttpRequestMessage(HttpMethod.Get, "/_wr/admin/rooms");
            request.Headers.Add("X-Forwarded-For", "198.51.100.10");
            using var response = await client.SendAsync(request, Cancellation);
            admin.Add(response.StatusCode);
        }

        // Joins pass by the room's failure policy (Open) up to the proxy's own bucket; admin calls without the key get
        // 401 up to theirs. Never a 5xx.
        Assert.All(joins, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, s.ToString()));
        Assert.All(admin, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, s.ToString()));
        AssertBurstPlusRefill(joins.Count(s => s == HttpStatusCode.OK), burst: 3, perSecond: 1, elapsed);
        AssertBurstPlusRefill(admin.Count(s => s == HttpStatusCode.Unauthorized), burst: 3, perSecond: 1, elapsed);
        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        Assert.Contains("waitingroom_rate_limit_fallbacks_total", metrics, StringComparison.Ordinal);
    }
}

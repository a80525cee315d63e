using System.Net;
using System.Net.Http.Json;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Switching;

/// <summary>Two proxy instances on one Redis, as in production: the admin API and the queue switch across both.</summary>
public sealed class AdminAndSwitchTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private (ProxyApp A, ProxyApp B) Pair(Dictionary<string, string?>? settings = null)
    {
        var room = RoomName();
        return (new ProxyApp(redis.ConnectionString, _backend.Address, room, settings), new ProxyApp(redis.ConnectionString, _backend.Address, room, settings));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData(ProxyApp.AdminKey + "x")]
    public async Task AdminApi_WithoutTheRightKey_Answers401_OnEveryEndpoint(string? key)
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        using var client = AdminClient(app, key);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/_wr/admin/rooms"), (HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}"), (HttpMethod.Get, "/_wr/admin/traffic"), (HttpMethod.Put, $"/_wr/admin/rooms/{app.Room}/mode") })
        {
            using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Put ? JsonContent.Create(new { mode = "On" }) : null };
            using var response = await client.SendAsync(request, Cancellation);
            AssertStatus(HttpStatusCode.Unauthorized, response);
            Assert.Equal("urn:yarp-waiting-room:problem:admin-key", (await response.JsonAsync()).GetProperty("type").GetString());
        }

        Assert.NotEqual("On", (string?)await app.Redis().HashGetAsync(app.Keys().State, "mode"));
        Assert.False(app.RoomOf().QueueOn);
    }

    [Fact]
    public async Task AdminApi_ShowsTheRoomsLiveNumbers_AndPerRouteTraffic()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        using var visitor = app.CreateBrowser();
        for (var i = 0; i < 3; i++)
        {
            using var response = await visitor.SendAsync(HttpMethod.Get, "/api/echo");
            AssertStatus(HttpStatusCode.OK, response);
        }

        using var admin = AdminClient(app);
        var room = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/_wr/admin/rooms/{app.Room}", Cancellation);
        Assert.Equal("Auto", room.GetProperty("mode").GetString());
        Assert.False(room.GetProperty("queueOn").GetBoolean());
        Assert.Equal(1, room.GetProperty("active").GetInt64());
        Assert.Equal(0, room.GetProperty("waiting").GetInt64());
        foreach (var field in new[] { "since", "reason", "ratePerSecond", "admittedPerMinute", "abandonedPerMinute", "medianWaitSeconds" })
        {
            Assert.True(room.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.True(await EventuallyAsync(async () =>
        {
            var traffic = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/_wr/admin/traffic", Cancellation);
            return traffic.GetProperty("routes").EnumerateArray().Any(r =>
                r.GetProperty("room").GetString() == app.Room && r.GetProperty("route").GetString() == "reservation-api"
                && r.GetProperty("count").GetInt64() == 3 && r.GetProperty("p95Ms").GetDouble() > 0);
        }, TimeSpan.FromSeconds(4)), "the per-second flush did not reach the traffic view");

        using var unknown = await admin.GetAsync("/_wr/admin/rooms/no-such-room", Cancellation);
        AssertStatus(HttpStatusCode.NotFound, unknown);
        using var badMode = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/mode", new { mode = "Sideways" }, Cancellation);
        AssertStatus(HttpStatusCode.BadRequest, badMode);
        using var numericMode = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/mode", new { mode = "1" }, Cancellation);
        AssertStatus(HttpStatusCode.BadRequest, numericMode);
        using var malformed = await admin.PutAsync($"/_wr/admin/rooms/{app.Room}/mode", new StringContent("{\"mode\":", System.Text.Encoding.UTF8, "application/json"), Cancellation);
        AssertStatus(HttpStatusCode.BadRequest, malformed);
    }

    [Fact]
    public async Task ModeChange_OnOneProxy_TakesEffectOnTheOtherWithinOneSecond()
    {
        var (a, b) = Pair();
        await using (a)
        await using (b)
        {
            using var visitorB = b.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
            using (var before = await visitorB.SendAsync(HttpMethod.Get, "/api/echo"))
            {
                AssertStatus(HttpStatusCode.OK, before);
            }

            using var admin = AdminClient(a);
            using var on = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{a.Room}/mode", new { mode = "Paused" }, Cancellation);
            AssertStatus(HttpStatusCode.OK, on);
            Assert.True((await on.JsonAsync()).GetProperty("queueOn").GetBoolean());

            Assert.True(await EventuallyAsync(async () =>
            {
                using var response = await visitorB.SendAsync(HttpMethod.Get, "/api/echo");
                return response.StatusCode == HttpStatusCode.ServiceUnavailable;
            }, TimeSpan.FromSeconds(10)), "proxy B still admits directly 10 s after the mode changed on A");
            using var adminB = AdminClient(b);
            var seenByB = await adminB.GetFromJsonAsync<System.Text.Json.JsonElement>($"/_wr/admin/rooms/{b.Room}", Cancellation);
            Assert.Equal("Paused", seenByB.GetProperty("mode").GetString());
            Assert.Equal("mode-paused", seenByB.GetProperty("reason").GetString());

            using var off = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{a.Room}/mode", new { mode = "off" }, Cancellation);
            AssertStatus(HttpStatusCode.OK, off);
            Assert.True(await EventuallyAsync(() => Task.FromResult(!b.RoomOf().QueueOn), TimeSpan.FromSeconds(10)), "proxy B still queues 10 s after the mode went Off on A");
        }
    }

    [Fact]
    public async Task PausedRoom_AdmitsNoOne_AndKeepsEveryPlace()
    {
        var (a, b) = Pair(new() { ["Mode"] = "Paused", ["AdmitInterval"] = "00:00:01" });
        await using (a)
        await using (b)
        {
            using var visitor = a.CreateBrowser();
            using var queued = await visitor.QueuedAsync();
            AssertStatus(HttpStatusCode.ServiceUnavailable, queued);

            await Task.Delay(TimeSpan.FromSeconds(2.5), Cancellation);
            Assert.Equal(1, await a.Redis().SortedSetLengthAsync(a.Keys().Waiting));
            Assert.Equal(0, await a.Redis().SortedSetLengthAsync(a.Keys().Active));

            using var admin = AdminClient(b);
            using var resume = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{b.Room}/mode", new { mode = "On" }, Cancellation);
            AssertStatus(HttpStatusCode.OK, resume);
            Assert.True(await EventuallyAsync(
                async () => await a.Redis().SortedSetLengthAsync(a.Keys().Active) == 1,
                TimeSpan.FromSeconds(3)));
        }
    }

    [Fact]
    public async Task Switch_SpikeOverTwoProxies_TurnsTheQueueOn_ThenCalmTurnsItOffAfterDebounce()
    {
        var (a, b) = Pair(new()
        {
            ["OffThreshold"] = "3",
            ["OnThreshold"] = "6",
            ["SpikeThreshold"] = "12",
            ["Debounce"] = "00:00:02",
            ["AdmitInterval"] = "00:00:01",
        });
        await using (a)
        await using (b)
        {
            using var clientA = a.CreateBrowser();
            using var clientB = b.CreateBrowser();
            _ = a.RoomOf();
            _ = b.RoomOf();

            // Warm: the first request of each client pays for connections and code paths, which on a loaded machine
            // stretched the burst below over two clock seconds (7 + 7: no second crossed the spike threshold).
            foreach (var client in new[] { clientA, clientB })
            {
                using var warm = await client.SendAsync(HttpMethod.Get, "/api/echo");
                Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            }

            // Fourteen requests within one second, split over both instances: only their sum crosses the spike threshold.
            // A burst the machine still spread over two seconds is sent again, at most three times in all: three bursts
            // stay far below the sustained threshold's 10-s average (42 / 10 < 6), so only a spike can switch.
            var on = false;
            for (var burst = 0; burst < 3 && !on; burst++)
            {
                await AlignToSecondStartAsync();
                await Task.WhenAll(Enumerable.Range(0, 14).Select(async i =>
                {
                    using var response = await (i % 2 == 0 ? clientA : clientB).SendAsync(HttpMethod.Get, "/api/echo");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                }));
                on = await EventuallyAsync(() => Task.FromResult(a.RoomOf().QueueOn && b.RoomOf().QueueOn), TimeSpan.FromSeconds(3));
            }

            Assert.True(on, "the spike did not turn the queue on");
            Assert.Equal("spike", a.RoomOf().Snapshot.Switch.Reason);

            // No more traffic, nobody waiting: calm for Debounce turns it off again.
            Assert.True(await EventuallyAsync(() => Task.FromResult(!a.RoomOf().QueueOn && !b.RoomOf().QueueOn), TimeSpan.FromSeconds(6)), "calm did not turn the queue off");
            Assert.Equal("calm", b.RoomOf().Snapshot.Switch.Reason);

            var switched = (await a.Redis().StreamRangeAsync(a.Keys().Events)).Where(e => e["type"] == "switched").Select(e => (string?)e["reason"]).ToList();
            Assert.Equal(["spike", "calm"], switched);
        }
    }

    private static async Task AlignToSecondStartAsync()
    {
        var into = DateTimeOffset.UtcNow.Millisecond;
        if (into > 600)
        {
            await Task.Delay(1000 - into + 20, Cancellation);
        }
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>
/// <c>PUT /_wr/admin/rooms/{room}/network-cap</c>: an operator's MaxPlacesPerNetwork (0 = off), obeyed by the next join
/// through any proxy, shown by this proxy at once and by every other within a second, audited; cleared with null;
/// anything else refused with the field named. The key, an unknown room and a reset: <see cref="CapacityApiTests"/>.
/// </summary>
public sealed class NetworkCapApiTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const int Configured = 50;

    /// <summary>How long another proxy may take: its 1-s poll, generous for a loaded machine (what is checked is that it follows).</summary>
    private static readonly TimeSpan Follows = TimeSpan.FromSeconds(5);

    // Paused: every newcomer takes a waiting place, which the cap counts.
    private ProxyApp CappedApp(string room, int configured = Configured) =>
        App(mode: "Paused", room: room, settings: new() { ["MaxPlacesPerNetwork"] = configured.ToString(CultureInfo.InvariantCulture) });

    private static Task<HttpResponseMessage> PutAsync(HttpClient admin, string room, string? body) =>
        admin.PutAsync($"/_wr/admin/rooms/{room}/network-cap", body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);

    private static int InForce(ProxyApp app) => app.RoomOf().Snapshot.MaxPlacesPerNetworkOf(app.RoomOf().Options);

    /// <summary>A new visitor from <paramref name="address"/> (relayed as the edge does): its status (a shed join asked again).</summary>
    private static async Task<HttpStatusCode> NewcomerAsync(ProxyApp app, string address)
    {
        using var browser = app.CreateBrowser();
        using var response = await QueuedAsync(async () =>
        {
            using var request = Api(HttpMethod.Get, "/api/echo");
            request.Headers.Add("X-Forwarded-For", address);
            return await browser.SendAsync(request, Cancellation);
        });
        return response.StatusCode;
    }

    [Fact]
    public async Task Put_IsObeyedByTheNextJoinThroughAnotherProxy_ShownByThisOneAtOnceAndTheOtherWithinASecond_AndAudited()
    {
        var room = RoomName();
        await using var proxyA = CappedApp(room);
        await using var proxyB = CappedApp(room);
        Assert.Equal(Configured, InForce(proxyB)); // B is up, polling, before the change
        using var admin = AdminClient(proxyA);

        using var response = await PutAsync(admin, room, "{\"maxPlacesPerNetwork\": 1}");

        AssertStatus(HttpStatusCode.OK, response);
        var view = await response.JsonAsync();
        Assert.Equal((1, Configured), (view.GetProperty("maxPlacesPerNetwork").GetInt32(), view.GetProperty("maxPlacesPerNetworkConfigured").GetInt32()));
        Assert.Equal(1, InForce(proxyA));
        // The join reads the cap in Redis: B obeys it before its own snapshot has it.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await NewcomerAsync(proxyB, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await NewcomerAsync(proxyB, "203.0.113.8"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await NewcomerAsync(proxyB, "198.51.100.7"));
        Assert.True(await EventuallyAsync(() => Task.FromResult(InForce(proxyB) == 1), Follows), "proxy B still has the configured cap");
        using var adminB = AdminClient(proxyB);
        var seenByB = await adminB.GetFromJsonAsync<JsonElement>($"/_wr/admin/rooms/{room}", Cancellation);
        Assert.Equal((1, Configured, 2L), (
            seenByB.GetProperty("maxPlacesPerNetwork").GetInt32(),
            seenByB.GetProperty("maxPlacesPerNetworkConfigured").GetInt32(),
            seenByB.GetProperty("networksAtCap").GetInt64()));
        var audit = (await proxyA.Redis().StreamRangeAsync(proxyA.Keys().Events)).Where(e => e["type"] == "operator").ToArray();
        var entry = Assert.Single(audit);
        Assert.Equal(("admin", "network-cap", $"{Configured} → 1"), ((string?)entry["operator"], (string?)entry["action"], (string?)entry["detail"]));
    }

    [Fact]
    public async Task Put_Zero_TurnsTheCapOff_AndNull_GoesBackToTheConfiguredValue()
    {
        var room = RoomName();
        await using var app = CappedApp(room, configured: 1);
        using var admin = AdminClient(app);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await NewcomerAsync(app, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await NewcomerAsync(app, "203.0.113.8"));

        using var off = await PutAsync(admin, room, "{\"maxPlacesPerNetwork\": 0}");
        var whileOff = await NewcomerAsync(app, "203.0.113.9");
        using var cleared = await PutAsync(admin, room, "{\"maxPlacesPerNetwork\": null}");
        var afterClear = await NewcomerAsync(app, "203.0.113.10");

        AssertStatus(HttpStatusCode.OK, off);
        Assert.Equal(0, (await off.JsonAsync()).GetProperty("maxPlacesPerNetwork").GetInt32());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileOff);
        AssertStatus(HttpStatusCode.OK, cleared);
        Assert.Equal(1, (await cleared.JsonAsync()).GetProperty("maxPlacesPerNetwork").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, afterClear);
        Assert.False(await app.Redis().HashExistsAsync(app.Keys().State, RoomStateFields.MaxPlacesPerNetwork));
    }

    [Theory]
    [InlineData("{\"maxPlacesPerNetwork\": \"5\"}")]
    [InlineData("{\"maxPlacesPerNetwork\": 2.5}")]
    [InlineData("{\"maxPlacesPerNetwork\": -1}")]
    [InlineData("{\"maxPlacesPerNetwork\": 1000001}")]
    [InlineData("{\"maxPlacesPerNetwork\": true}")]
    [InlineData("{\"maxPlacesPerNetwork\": 3, \"MaxPlacesPerNetwork\": 4}")]
    [InlineData("{\"maxActive\": 3}")]
    [InlineData("{}")]
    [InlineData("[3]")]
    [InlineData("{\"maxPlacesPerNetwork\": ")]
    [InlineData(null)]
    public async Task Put_AnythingButAWholeNumberInRangeOrNull_Is400InvalidNetworkCap_NamingTheField_AndChangesNothing(string? body)
    {
        var room = RoomName();
        await using var app = CappedApp(room);
        using var admin = AdminClient(app);

        using var response = await PutAsync(admin, room, body);

        AssertStatus(HttpStatusCode.BadRequest, response);
        var problem = await response.JsonAsync();
        Assert.Equal(ProblemTypes.InvalidNetworkCap, problem.GetProperty("type").GetString());
        Assert.Equal("maxPlacesPerNetwork", problem.GetProperty("field").GetString());
        Assert.False(await app.Redis().HashExistsAsync(app.Keys().State, RoomStateFields.MaxPlacesPerNetwork));
        Assert.False(await app.Redis().HashExistsAsync(app.Keys().State, RoomStateFields.MaxActive));
        Assert.Equal(Configured, InForce(app));
    }
}

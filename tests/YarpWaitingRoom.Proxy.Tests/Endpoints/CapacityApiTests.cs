using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>
/// <c>PUT /_wr/admin/rooms/{room}/max-active</c>: an operator's MaxActive, applied by admission at once, by this proxy at
/// once and by every other within a second; cleared with null or by a reset; anything else refused with the field named.
/// What both runtime limits share (the key, the room, the reset) is shown here for <c>network-cap</c> too
/// (<see cref="NetworkCapApiTests"/> for the rest of it).
/// </summary>
public sealed class CapacityApiTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const int Configured = 5;

    private const int ConfiguredPerNetwork = 50;

    /// <summary>How long another proxy may take: its 1-s poll, generous for a loaded machine (what is checked is that it follows).</summary>
    private static readonly TimeSpan Follows = TimeSpan.FromSeconds(5);

    private ProxyApp CapacityApp(string room, string mode = "Off") =>
        App(mode: mode, room: room, settings: new()
        {
            ["MaxActive"] = Configured.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MaxPlacesPerNetwork"] = ConfiguredPerNetwork.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static Task<HttpResponseMessage> PutAsync(HttpClient admin, string room, string? body, string limit = "max-active") =>
        admin.PutAsync($"/_wr/admin/rooms/{room}/{limit}", body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);

    private static int InForce(ProxyApp app) => app.RoomOf().Snapshot.MaxActiveOf(app.RoomOf().Options);

    /// <summary>The runtime limit at <paramref name="limit"/>'s path: its body's field, the state's field, the value in force and the configured one.</summary>
    private static (string Field, string StateField, Func<ProxyApp, int> InForce, int Configured) Limit(string limit) => limit switch
    {
        "max-active" => ("maxActive", RoomStateFields.MaxActive, InForce, Configured),
        "network-cap" => ("maxPlacesPerNetwork", RoomStateFields.MaxPlacesPerNetwork,
            app => app.RoomOf().Snapshot.MaxPlacesPerNetworkOf(app.RoomOf().Options), ConfiguredPerNetwork),
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, "no such limit"),
    };

    [Fact]
    public async Task Put_ChangesTheViewOnThisProxyAtOnce_AndOnAnotherWithinASecond_AndAdmissionObeysItEverywhere()
    {
        var room = RoomName();
        await using var proxyA = CapacityApp(room);
        await using var proxyB = CapacityApp(room);
        Assert.Equal(Configured, InForce(proxyB)); // B is up, polling, before the change
        using var admin = AdminClient(proxyA);

        using var response = await PutAsync(admin, room, "{\"maxActive\": 1}");

        AssertStatus(HttpStatusCode.OK, response);
        var view = await response.JsonAsync();
        Assert.Equal((1, Configured), (view.GetProperty("maxActive").GetInt32(), view.GetProperty("maxActiveConfigured").GetInt32()));
        Assert.Equal(1, InForce(proxyA));
        Assert.True(await EventuallyAsync(() => Task.FromResult(InForce(proxyB) == 1), Follows), "proxy B still has the configured MaxActive");
        using var adminB = AdminClient(proxyB);
        var seenByB = await adminB.GetFromJsonAsync<JsonElement>($"/_wr/admin/rooms/{room}", Cancellation);
        Assert.Equal((1, Configured), (seenByB.GetProperty("maxActive").GetInt32(), seenByB.GetProperty("maxActiveConfigured").GetInt32()));
        Assert.True(await EventuallyAsync(async () =>
            (await admin.GetStringAsync("/metrics", Cancellation)).Contains($"waitingroom_max_active{{room=\"{room}\"}} 1", StringComparison.Ordinal), Follows));

        // The queue is forced off: a visitor through B is admitted directly, up to the operator's 1; the next waits.
        using var first = await proxyB.CreateBrowser().SendAsync(HttpMethod.Get, "/api/echo");
        using var second = await proxyB.CreateBrowser().SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, first);
        AssertStatus(HttpStatusCode.ServiceUnavailable, second);
    }

    [Fact]
    public async Task Put_Zero_AdmitsNoOneNew_AndNull_GoesBackToTheConfiguredValue()
    {
        var room = RoomName();
        await using var app = CapacityApp(room);
        using var admin = AdminClient(app);

        using var zero = await PutAsync(admin, room, "{\"maxActive\": 0}");
        using var refused = await app.CreateBrowser().SendAsync(HttpMethod.Get, "/api/echo");
        var queue = app.RoomOf().Queue;
        var atZero = await queue.AdmitAsync(await queue.NextFenceAsync()); // a batch, as the scheduler's next would run
        using var cleared = await PutAsync(admin, room, "{\"maxActive\": null}");

        AssertStatus(HttpStatusCode.OK, zero);
        Assert.Equal(0, (await zero.JsonAsync()).GetProperty("maxActive").GetInt32());
        AssertStatus(HttpStatusCode.ServiceUnavailable, refused);
        Assert.Equal((0, 0L, 1L), (atZero.Admitted, atZero.Active, atZero.Waiting));
        AssertStatus(HttpStatusCode.OK, cleared);
        Assert.Equal(Configured, (await cleared.JsonAsync()).GetProperty("maxActive").GetInt32());
        Assert.Equal(Configured, InForce(app));
        Assert.False(await app.Redis().HashExistsAsync(app.Keys().State, RoomStateFields.MaxActive));
        // Capacity is back: the one waiting is admitted (at once: the raise wakes admission), then a newcomer directly.
        Assert.True(await EventuallyAsync(async () => await app.Redis().SortedSetLengthAsync(app.Keys().Active) == 1, Follows), "the waiting visitor was not admitted");
        using var admitted = await app.CreateBrowser().SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, admitted);
    }

    [Theory]
    [InlineData("{\"maxActive\": \"5\"}")]
    [InlineData("{\"maxActive\": 2.5}")]
    [InlineData("{\"maxActive\": 1e3}")]
    [InlineData("{\"maxActive\": -1}")]
    [InlineData("{\"maxActive\": 10000001}")]
    [InlineData("{\"maxActive\": 99999999999}")]
    [InlineData("{\"maxActive\": true}")]
    [InlineData("{\"maxActive\": 3, \"MaxActive\": 4}")]
    [InlineData("{}")]
    [InlineData("{\"max\": 3}")]
    [InlineData("[3]")]
    [InlineData("3")]
    [InlineData("null")]
    [InlineData("{\"maxActive\": ")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Put_AnythingButAWholeNumberInRangeOrNull_Is400InvalidMaxActive_NamingTheField_AndChangesNothing(string? body)
    {
        var room = RoomName();
        await using var app = CapacityApp(room);
        using var admin = AdminClient(app);

        using var response = await PutAsync(admin, room, body);

        AssertStatus(HttpStatusCode.BadRequest, response);
        var problem = await response.JsonAsync();
        Assert.Equal(ProblemTypes.InvalidMaxActive, problem.GetProperty("type").GetString());
        Assert.Equal("maxActive", problem.GetProperty("field").GetString());
        Assert.False(await app.Redis().HashExistsAsync(app.Keys().State, RoomStateFields.MaxActive));
        Assert.Equal(Configured, InForce(app));
    }

    [Fact]
    public async Task Put_AFormBody_Is400InvalidMaxActive()
    {
        var room = RoomName();
        await using var app = CapacityApp(room);
        using var admin = AdminClient(app);

        using var response = await admin.PutAsync(
            $"/_wr/admin/rooms/{room}/max-active", new FormUrlEncodedContent([new("maxActive", "3")]), Cancellation);

        AssertStatus(HttpStatusCode.BadRequest, response);
        Assert.Equal(ProblemTypes.InvalidMaxActive, (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("max-active", null)]
    [InlineData("max-active", "wrong-key")]
    [InlineData("network-cap", null)]
    [InlineData("network-cap", "wrong-key")]
    public async Task Put_WithoutTheRightKey_Is401_AndChangesNothing(string limit, string? key)
    {
        var (field, stateField, _, _) = Limit(limit);
        var room = RoomName();
        await using var app = CapacityApp(room);
        using var client = AdminClient(app, key);

        using var response = await PutAsync(client, room, $"{{\"{field}\": 1}}", limit);

        AssertStatus(HttpStatusCode.Unauthorized, response);
        Assert.Equal(ProblemTypes.AdminKey, (await response.JsonAsync()).GetProperty("type").GetString());
        Assert.False(await app.Redis().HashExistsAsync(app.Keys().State, stateField));
    }

    [Theory]
    [InlineData("max-active")]
    [InlineData("network-cap")]
    public async Task Put_UnknownRoom_Is404RoomNotFound(string limit)
    {
        await using var app = CapacityApp(RoomName());
        using var admin = AdminClient(app);

        using var response = await PutAsync(admin, "no-such-room", $"{{\"{Limit(limit).Field}\": 1}}", limit);

        AssertStatus(HttpStatusCode.NotFound, response);
        Assert.Equal(ProblemTypes.RoomNotFound, (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("max-active")]
    [InlineData("network-cap")]
    public async Task Reset_ClearsTheOperatorsValue_OnEveryProxy(string limit)
    {
        var (field, _, inForce, configured) = Limit(limit);
        var room = RoomName();
        await using var proxyA = CapacityApp(room);
        await using var proxyB = CapacityApp(room);
        using var admin = AdminClient(proxyA);
        AssertStatus(HttpStatusCode.OK, await PutAsync(admin, room, $"{{\"{field}\": 2}}", limit));
        Assert.True(await EventuallyAsync(() => Task.FromResult(inForce(proxyB) == 2), Follows), $"proxy B never applied the operator's {field}");

        using var reset = await admin.PostAsync($"/_wr/admin/rooms/{room}/reset", content: null, Cancellation);

        AssertStatus(HttpStatusCode.OK, reset);
        var view = await admin.GetFromJsonAsync<JsonElement>($"/_wr/admin/rooms/{room}", Cancellation);
        Assert.Equal(configured, view.GetProperty(field).GetInt32());
        Assert.True(await EventuallyAsync(() => Task.FromResult(inForce(proxyA) == configured && inForce(proxyB) == configured), Follows), $"a proxy kept the operator's {field} after the reset");
    }
}

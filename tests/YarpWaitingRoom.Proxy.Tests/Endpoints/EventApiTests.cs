using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary><c>PUT/GET/DELETE /_wr/admin/rooms/{room}/event</c>: a scheduled sale, fixed once its pre-queue opens.</summary>
public sealed class EventApiTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Put_AValidEvent_StoresIt_ShowingTheCommitmentButNeverTheSeed_AndGetShowsTheSame()
    {
        var room = RoomName();
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        using var admin = AdminClient(app);
        var starts = DateTimeOffset.UtcNow.AddHours(1);

        using var put = await admin.PutAsJsonAsync(
            $"/_wr/admin/rooms/{room}/event",
            new { name = "Concert 20:00", prequeueOpensAt = Iso(starts.AddMinutes(-30)), startsAt = Iso(starts), order = "Lottery" },
            Cancellation);
        using var get = await admin.GetAsync($"/_wr/admin/rooms/{room}/event", Cancellation);

        AssertStatus(HttpStatusCode.OK, put);
        var scheduled = await put.JsonAsync();
        Assert.Equal("Concert 20:00", scheduled.GetProperty("name").GetString());
        Assert.Equal("scheduled", scheduled.GetProperty("state").GetString());
        Assert.Equal("Lottery", scheduled.GetProperty("order").GetString());
        Assert.Matches("^[0-9a-f]{64}$", scheduled.GetProperty("seedCommitment").GetString()!);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, scheduled.GetProperty("seed").ValueKind);
        AssertStatus(HttpStatusCode.OK, get);
        Assert.Equal(scheduled.ToString(), (await get.JsonAsync()).ToString());
        var seed = (string?)await app.Redis().HashGetAsync(app.Keys().Schedule, "seed");
        Assert.True(LotteryDraw.Opens(scheduled.GetProperty("seedCommitment").GetString()!, seed!));
    }

    public static TheoryData<string, string?, string?, string?, string?> Invalid()
    {
        var starts = DateTimeOffset.UtcNow.AddHours(1);
        var opens = Iso(starts.AddMinutes(-30));
        return new()
        {
            { "name", null, opens, Iso(starts), null },
            { "prequeueOpensAt", "x", "tomorrow", Iso(starts), null },
            { "prequeueOpensAt", "x", starts.AddMinutes(-30).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), Iso(starts), null },
            { "startsAt", "x", opens, null, null },
            { "startsAt", "x", Iso(starts.AddHours(-3)), Iso(starts.AddHours(-2)), null },
            { "prequeueOpensAt", "x", Iso(starts.AddMinutes(1)), Iso(starts), null },
            { "order", "x", opens, Iso(starts), "Random" },
        };
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Put_AnInvalidEvent_Answers400NamingTheField_AndStoresNothing(string field, string? name, string? opens, string? starts, string? order)
    {
        var room = RoomName();
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        using var admin = AdminClient(app);

        using var put = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/event", new { name, prequeueOpensAt = opens, startsAt = starts, order }, Cancellation);

        AssertStatus(HttpStatusCode.BadRequest, put);
        var problem = await put.JsonAsync();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal("urn:yarp-waiting-room:problem:invalid-event", problem.GetProperty("type").GetString());
        Assert.False(await app.Redis().KeyExistsAsync(app.Keys().Schedule));
    }

    [Fact]
    public async Task Delete_BeforeThePrequeueOpens_Cancels_ThenGetAndDeleteAnswer404()
    {
        var room = RoomName();
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        using var admin = AdminClient(app);
        var starts = DateTimeOffset.UtcNow.AddHours(1);
        using (var put = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/event", new { name = "x", prequeueOpensAt = Iso(starts), startsAt = Iso(starts) }, Cancellation))
        {
            AssertStatus(HttpStatusCode.OK, put);
        }

        using var cancelled = await admin.DeleteAsync($"/_wr/admin/rooms/{room}/event", Cancellation);
        using var get = await admin.GetAsync($"/_wr/admin/rooms/{room}/event", Cancellation);
        using var again = await admin.DeleteAsync($"/_wr/admin/rooms/{room}/event", Cancellation);

        AssertStatus(HttpStatusCode.NoContent, cancelled);
        AssertStatus(HttpStatusCode.NotFound, get);
        AssertStatus(HttpStatusCode.NotFound, again);
    }

    [Fact]
    public async Task PutAndDelete_OnceThePrequeueOpened_Answer409_AndTheEventStays()
    {
        var room = RoomName();
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        using var admin = AdminClient(app);
        var opens = DateTimeOffset.UtcNow.AddSeconds(1);
        var starts = DateTimeOffset.UtcNow.AddHours(1);
        using (var put = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/event", new { name = "fixed", prequeueOpensAt = Iso(opens), startsAt = Iso(starts) }, Cancellation))
        {
            AssertStatus(HttpStatusCode.OK, put);
        }

        Assert.True(await EventuallyAsync(() => Task.FromResult(DateTimeOffset.UtcNow > opens), TimeSpan.FromSeconds(10)));
        using var replaced = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/event", new { name = "other", prequeueOpensAt = Iso(starts), startsAt = Iso(starts) }, Cancellation);
        using var cancelled = await admin.DeleteAsync($"/_wr/admin/rooms/{room}/event", Cancellation);
        using var get = await admin.GetAsync($"/_wr/admin/rooms/{room}/event", Cancellation);

        AssertStatus(HttpStatusCode.Conflict, replaced);
        AssertStatus(HttpStatusCode.Conflict, cancelled);
        AssertStatus(HttpStatusCode.OK, get);
        var current = await get.JsonAsync();
        Assert.Equal("fixed", current.GetProperty("name").GetString());
        Assert.Equal("prequeue", current.GetProperty("state").GetString());
    }

    [Fact]
    public async Task PublicGet_NeedsNoKey_ShowsTheAdminsDocument_WithoutTheSeed_And404WhenNoneIsScheduled()
    {
        var room = RoomName();
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        using var admin = AdminClient(app);
        using var visitor = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using (var none = await visitor.GetAsync($"/_wr/rooms/{room}/event", Cancellation))
        {
            AssertStatus(HttpStatusCode.NotFound, none);
        }

        var starts = DateTimeOffset.UtcNow.AddHours(1);
        using var put = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/event", new { name = "public", prequeueOpensAt = Iso(starts), startsAt = Iso(starts), order = "Fifo" }, Cancellation);
        using var get = await visitor.GetAsync($"/_wr/rooms/{room}/event", Cancellation);

        AssertStatus(HttpStatusCode.OK, get);
        var document = await get.JsonAsync();
        Assert.Equal((await put.JsonAsync()).ToString(), document.ToString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, document.GetProperty("seed").ValueKind);
        var seed = (string?)await app.Redis().HashGetAsync(app.Keys().Schedule, "seed");
        Assert.NotNull(seed);
        Assert.DoesNotContain(seed, await get.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }
}

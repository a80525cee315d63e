using StackExchange.Redis;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary><c>POST /_wr/admin/rooms/{room}/reset</c> and <c>POST /_wr/admin/reset</c>: a room emptied between rehearsals, on every proxy at once.</summary>
public sealed class AdminResetTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task ResetRoom_WithTheKey_EmptiesTheRoom_KeepsItsEventStream_AndTheOtherProxyDropsTheForcedModeToo()
    {
        var room = RoomName();
        await using var a = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        await using var b = new ProxyApp(redis.ConnectionString, _backend.Address, room);
        using var admin = AdminClient(a);
        using var on = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/mode", new { mode = "On" }, Cancellation);
        AssertStatus(HttpStatusCode.OK, on);
        using var visitorB = b.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        Assert.True(await EventuallyAsync(async () =>
        {
            using var queued = await visitorB.SendAsync(HttpMethod.Get, "/api/echo");
            return queued.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, TimeSpan.FromSeconds(10)), "proxy B never queued a visitor after the mode was forced on");
        await a.Redis().StreamCreateConsumerGroupAsync(a.Keys().Events, "reservation", "0-0");
        var events = await a.Redis().StreamLengthAsync(a.Keys().Events);

        using var reset = await admin.PostAsync($"/_wr/admin/rooms/{room}/reset", content: null, Cancellation);

        AssertStatus(HttpStatusCode.OK, reset);
        var cleared = await reset.JsonAsync();
        Assert.Equal(room, cleared.GetProperty("room").GetString());
        Assert.True(cleared.GetProperty("waiting").GetInt64() >= 1, cleared.ToString());
        Assert.True(cleared.GetProperty("keysRemoved").GetInt64() > 0, cleared.ToString());
        Assert.Equal(0, await a.Redis().SortedSetLengthAsync(a.Keys().Waiting));
        // The stream is kept as it was, plus the reset's own audit entry.
        Assert.Equal(events + 1, await a.Redis().StreamLengthAsync(a.Keys().Events));
        var audit = (await a.Redis().StreamRangeAsync(a.Keys().Events, "-", "+", 1, Order.Descending))[0];
        Assert.Equal(("operator", "reset"), ((string?)audit["type"], (string?)audit["action"]));
        Assert.Equal("reservation", Assert.Single(await a.Redis().StreamGroupInfoAsync(a.Keys().Events)).Name);
        // Within a second here (the reset's state notice, or at worst B's 1-s poll); the bound is generous for a loaded
        // machine: what is checked is that B follows, not how fast.
        Assert.True(await EventuallyAsync(() => Task.FromResult(!b.RoomOf().QueueOn), TimeSpan.FromSeconds(10)), "proxy B still queues 10 s after the reset");
        using var admitted = await visitorB.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, admitted);
        using var adminB = AdminClient(b);
        var seenByB = await adminB.GetFromJsonAsync<System.Text.Json.JsonElement>($"/_wr/admin/rooms/{room}", Cancellation);
        Assert.Equal("Auto", seenByB.GetProperty("mode").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Reset_WithoutTheRightKey_Answers401_AndClearsNothing(string? key)
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["Mode"] = "Paused" });
        using var visitor = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using (var queued = await visitor.QueuedAsync())
        {
            AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        }

        using var client = AdminClient(app, key);
        foreach (var path in new[] { $"/_wr/admin/rooms/{app.Room}/reset", "/_wr/admin/reset" })
        {
            using var response = await client.PostAsync(path, content: null, Cancellation);
            AssertStatus(HttpStatusCode.Unauthorized, response);
            Assert.Equal(ProblemTypes.AdminKey, (await response.JsonAsync()).GetProperty("type").GetString());
        }

        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Fact]
    public async Task ResetRoom_UnknownRoom_Answers404()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        using var admin = AdminClient(app);

        using var response = await admin.PostAsync("/_wr/admin/rooms/no-such-room/reset", content: null, Cancellation);

        AssertStatus(HttpStatusCode.NotFound, response);
        Assert.Equal(ProblemTypes.RoomNotFound, (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task ResetAll_WithTheKey_EmptiesEveryConfiguredRoom_AndSaysWhatEachLost()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["Mode"] = "Paused" });
        using var visitor = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using (var queued = await visitor.QueuedAsync())
        {
            AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        }

        using var admin = AdminClient(app);
        using var response = await admin.PostAsync("/_wr/admin/reset", content: null, Cancellation);

        AssertStatus(HttpStatusCode.OK, response);
        var rooms = (await response.JsonAsync()).EnumerateArray().ToDictionary(r => r.GetProperty("room").GetString()!, StringComparer.Ordinal);
        Assert.Equal(1, rooms[app.Room].GetProperty("waiting").GetInt64());
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
        Assert.Equal(
            app.Services.GetRequiredService<RoomRegistry>().All.Select(r => r.Name).Order(StringComparer.Ordinal),
            rooms.Keys.Order(StringComparer.Ordinal));
    }
}

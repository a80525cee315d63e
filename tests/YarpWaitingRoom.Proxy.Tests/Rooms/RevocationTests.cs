using System.Net;
using System.Net.Http.Json;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Rooms;

/// <summary>
/// An admission that ended (ended by the backend, reaped, expired) stops admitting within a second on every proxy: the
/// old cookie, replayed, is refused like no cookie at all, while admitted requests still cost no Redis call.
/// </summary>
public sealed class RevocationTests(RedisFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);

    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private ProxyApp App(string room, Dictionary<string, string?>? settings = null) => new(redis.ConnectionString, _backend.Address, room, settings);

    [Fact]
    public async Task EndedSession_OldCookieReplayed_IsRefusedAtOnceOnThatProxy_AndWithinASecondOnAnother()
    {
        var room = RoomName();
        await using var a = App(room);
        await using var b = App(room);
        using var visitor = a.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var onB = b.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var cookies = await AdmitAsync(visitor);
        await PauseAsync(a, b);
        using (var passes = await onB.SendAsync(HttpMethod.Get, "/api/echo", cookies))
        {
            AssertStatus(HttpStatusCode.OK, passes);
        }

        // A confirmed purchase: the backend ends the session (the response clears the cookie, but a copy was kept).
        using (var confirm = await visitor.SendAsync(HttpMethod.Post, "/api/confirm", cookies))
        {
            AssertStatus(HttpStatusCode.Created, confirm);
        }

        var proxied = _backend.Visitors.Count;
        using (var replayed = await visitor.SendAsync(HttpMethod.Get, "/api/echo", cookies))
        {
            AssertStatus(HttpStatusCode.ServiceUnavailable, replayed);
            Assert.Contains(replayed.Headers.GetValues("Set-Cookie"), c => c.StartsWith("wr_" + room + "=;", StringComparison.Ordinal));
        }

        Assert.Equal(proxied, _backend.Visitors.Count);
        Assert.True(await RefusedWithinAsync(onB, cookies, WithinASecond), "proxy B still admits the ended session's cookie a second later");
        Assert.Matches($"waitingroom_tokens_rejected_total{{room=\"{room}\",kind=\"cookie\",reason=\"Revoked\"}} [1-9]", await visitor.GetStringAsync("/metrics", Cancellation));
    }

    [Fact]
    public async Task ReapedAdmission_OldCookieReplayed_IsRefusedOnEveryProxy_WithinASecondOfTheReap()
    {
        var room = RoomName();
        var settings = new Dictionary<string, string?> { ["AbandonAfter"] = "00:00:02", ["HeartbeatInterval"] = "00:00:01" };
        await using var a = App(room, settings);
        await using var b = App(room, settings);
        using var onA = a.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using var onB = b.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var cookies = await AdmitAsync(onA);
        await PauseAsync(a, b);

        // The admitted visitor's page on the site beat once (its keep-alive), then the visitor vanished: the reaper frees the slot.
        var ticket = (string)(await a.Redis().SortedSetRangeByRankAsync(a.Keys().Active)).Single()!;
        await a.RoomOf().Queue.KeepAliveAsync([ticket]);
        Assert.True(await EventuallyAsync(async () => await a.Redis().SortedSetLengthAsync(a.Keys().Active) == 0, TimeSpan.FromSeconds(10)), "the reaper did not free the slot");

        Assert.True(await RefusedWithinAsync(onA, cookies, WithinASecond), "proxy A still admits the reaped admission's cookie a second later");
        Assert.True(await RefusedWithinAsync(onB, cookies, WithinASecond), "proxy B still admits the reaped admission's cookie a second later");
    }

    [Fact]
    public async Task EndedSession_ProxyStartedAfterwards_RefusesTheOldCookieFromTheRevocationLog()
    {
        var room = RoomName();
        await using var a = App(room);
        using var onA = a.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var cookies = await AdmitAsync(onA);
        using (var admin = AdminClient(a))
        using (var paused = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/mode", new { mode = "Paused" }, Cancellation))
        {
            AssertStatus(HttpStatusCode.OK, paused);
        }

        using (var confirm = await onA.SendAsync(HttpMethod.Post, "/api/confirm", cookies))
        {
            AssertStatus(HttpStatusCode.Created, confirm);
        }

        // B was not running when the session ended, so it never heard the message: it reads the log when it starts.
        await using var b = App(room);
        using var onB = b.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        Assert.True(await RefusedWithinAsync(onB, cookies, WithinASecond), "a proxy started after the end still admits the cookie a second later");
    }

    /// <summary>Admitted on the spot (queue off, nobody waiting); returns the visitor's cookies as a Cookie header.</summary>
    private static async Task<string> AdmitAsync(HttpClient client)
    {
        using var admitted = await client.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, admitted);
        var set = admitted.SetCookies();
        return CookieHeader(("wr_vid", set["wr_vid"]), (set.Keys.Single(k => k != "wr_vid"), set[set.Keys.Single(k => k != "wr_vid")]));
    }

    /// <summary>Pauses the room (nobody is admitted anew, so a refused cookie cannot be replaced on the spot) and waits until both proxies know.</summary>
    private static async Task PauseAsync(ProxyApp a, ProxyApp b)
    {
        using var admin = AdminClient(a);
        using var paused = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{a.Room}/mode", new { mode = "Paused" }, Cancellation);
        AssertStatus(HttpStatusCode.OK, paused);
        Assert.True(await EventuallyAsync(() => Task.FromResult(a.RoomOf().QueueOn && b.RoomOf().QueueOn), TimeSpan.FromSeconds(5)));
    }

    private static HttpClient AdminClient(ProxyApp app)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", ProxyApp.AdminKey);
        return client;
    }

    /// <summary>Replays the cookies until the proxy no longer passes them (503: queued like anyone without admission).</summary>
    private static Task<bool> RefusedWithinAsync(HttpClient client, string cookies, TimeSpan within) => EventuallyAsync(async () =>
    {
        using var response = await client.SendAsync(HttpMethod.Get, "/api/echo", cookies);
        return response.StatusCode == HttpStatusCode.ServiceUnavailable;
    }, within);
}

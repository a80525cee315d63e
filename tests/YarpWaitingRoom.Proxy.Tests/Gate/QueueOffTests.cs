using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The queue is off and nobody waits: a visitor without an admission is admitted on the spot.</summary>
public sealed class QueueOffTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private ProxyApp App(string mode = "Auto", Dictionary<string, string?>? settings = null, string? room = null)
    {
        var roomSettings = new Dictionary<string, string?>(settings ?? [], StringComparer.Ordinal) { ["Mode"] = mode };
        return new ProxyApp(redis.ConnectionString, _backend.Address, room ?? RoomName(), roomSettings);
    }

    [Fact]
    public async Task QueueOff_NobodyWaiting_AdmitsDirectly_AndReplacesAForgedVisitorHeader()
    {
        await using var app = App();
        using var client = app.CreateBrowser();
        using var request = Api(HttpMethod.Get, "/api/echo");
        request.Headers.Add("X-WaitingRoom-Visitor", "forged");

        using var response = await client.SendAsync(request, Cancellation);

        AssertStatus(HttpStatusCode.OK, response);
        var cookies = response.SetCookies();
        Assert.Contains("wr_" + app.Room, cookies.Keys);
        var seen = Assert.Single(_backend.Visitors);
        Assert.False(string.IsNullOrEmpty(seen));
        Assert.NotEqual("forged", seen);

        // Later requests pass on the cookie alone, with the same visitor.
        using var next = await client.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, next);
        Assert.Equal([seen, seen], _backend.Visitors);
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Active));
    }
}

using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The backend's end-session command, answered by the end-session transform.</summary>
public sealed class EndSessionTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task BackendEndSessionCommand_FreesTheSlot_ClearsTheCookie_AndNeverReachesTheClient()
    {
        await using var app = App();
        using var client = app.CreateBrowser();
        using var admitted = await client.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, admitted);
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Active));

        using var confirm = await client.SendAsync(HttpMethod.Post, "/api/confirm");

        AssertStatus(HttpStatusCode.Created, confirm);
        Assert.False(confirm.Headers.Contains("X-WaitingRoom-Command"));
        Assert.Contains(confirm.Headers.GetValues("Set-Cookie"), c => c.StartsWith("wr_" + app.Room + "=;", StringComparison.Ordinal));
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Active));
    }
}

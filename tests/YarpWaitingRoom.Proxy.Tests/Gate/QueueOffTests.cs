using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The queue is off and nobody waits: a visitor without an admission is admitted on the spot.</summary>
public sealed class QueueOffTests(RedisFixture redis) : ProxyTestBase(redis)
{
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
        var seen = Assert.Single(Backend.Visitors);
        Assert.False(string.IsNullOrEmpty(seen));
        Assert.NotEqual("forged", seen);

        // Later requests pass on the cookie alone, with the same visitor.
        using var next = await client.SendAsync(HttpMethod.Get, "/api/echo");
        AssertStatus(HttpStatusCode.OK, next);
        Assert.Equal([seen, seen], Backend.Visitors);
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Active));
    }
}

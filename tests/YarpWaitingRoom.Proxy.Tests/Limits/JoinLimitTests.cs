using System.Net;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Proxy.Tests.Limits;

/// <summary>The per-address limit on joins, as the gate applies it.</summary>
public sealed class JoinLimitTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task JoinsOverTheAddressLimit_Get429WithRetryAfter()
    {
        await using var app = App(mode: "On");
        app.Settings["WaitingRoom:RateLimits:JoinPerSecond"] = "1";
        app.Settings["WaitingRoom:RateLimits:JoinBurst"] = "3";
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.SendAsync(HttpMethod.Get, "/api/echo");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("urn:yarp-waiting-room:problem:rate-limited", (await response.JsonAsync()).GetProperty("type").GetString());
            }
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.ServiceUnavailable));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}

using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Limits;

/// <summary>The per-address limit on joins, as the gate applies it.</summary>
public sealed class JoinLimitTests(RedisFixture redis) : IAsyncLifetime
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

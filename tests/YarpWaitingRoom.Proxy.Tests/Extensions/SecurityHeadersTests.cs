using System.Net;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Extensions;

/// <summary>
/// Issue 10, finding 10: what the proxy answers itself carries the security headers; what it forwards from a backend is
/// the backend's, untouched.
/// </summary>
public sealed class SecurityHeadersTests(RedisFixture redis) : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        foreach (var (name, value) in SecurityHeaders.All)
        {
            Assert.True(response.Headers.TryGetValues(name, out var values), $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: no {name}");
            Assert.Equal(value, Assert.Single(values));
        }
    }

    [Fact]
    public async Task GateAnswer_QueueOn_The503Json_CarriesTheSecurityHeaders()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["Mode"] = "On" });
        using var client = app.CreateBrowser();

        using var response = await client.SendAsync(HttpMethod.Get, "/api/echo");

        AssertStatus(HttpStatusCode.ServiceUnavailable, response);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task WaitingRoomEndpoint_AForgedTicket_TheProblem_CarriesTheSecurityHeaders()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName());
        using var client = app.CreateBrowser();

        using var response = await client.SendAsync(HttpMethod.Get, $"/_wr/rooms/{app.Room}/tickets/forged");

        AssertStatus(HttpStatusCode.BadRequest, response);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task ProxiedResponse_FromTheBackend_GetsNoneOfTheSecurityHeaders()
    {
        await using var app = new ProxyApp(redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["Mode"] = "Off" });
        using var client = app.CreateBrowser();

        using var response = await client.SendAsync(HttpMethod.Get, "/api/echo");

        AssertStatus(HttpStatusCode.OK, response);
        Assert.StartsWith("visitor=", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.All(SecurityHeaders.All, header => Assert.False(response.Headers.Contains(header.Key), $"the proxy added {header.Key} to a backend's response"));
    }
}

using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Extensions;

/// <summary>
/// A proxy whose Redis has gone must still stop when told to: orchestrators kill what does not stop within their grace
/// period (Docker: 10 s), and a killed proxy drops the requests it was still answering.
/// </summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task Proxy_StopsWithinTheContainerGracePeriod_WhenRedisHasGoneAway()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        var app = new ProxyApp(server.ConnectionString, _backend.Address, RoomName()).WithProductionRedisBudget();
        try
        {
            using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
            using (var before = await client.SendAsync(HttpMethod.Get, "/api/echo"))
            {
                AssertStatus(HttpStatusCode.OK, before);
            }

            await server.StopAsync(Cancellation);
            var multiplexer = app.Services.GetRequiredService<IConnectionMultiplexer>();
            Assert.True(await EventuallyAsync(() => Task.FromResult(!multiplexer.IsConnected), TimeSpan.FromSeconds(10)));

            // Long enough for every loop (state refresh, counter flush, switch, admission, reaper) to be waiting on a
            // command that Redis will never answer: each would wait out the client's 5-s timeout.
            await Task.Delay(TimeSpan.FromSeconds(3), Cancellation);
        }
        finally
        {
            var started = Stopwatch.GetTimestamp();
            await app.DisposeAsync();
            var took = Stopwatch.GetElapsedTime(started);
            // Generous against a busy CI machine; before stopping stopped waiting for Redis this took the host's 30-s limit.
            Assert.True(took < TimeSpan.FromSeconds(8), $"the proxy took {took.TotalSeconds:0.0} s to stop with Redis gone");
        }
    }
}

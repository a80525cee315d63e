using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Embedding;

/// <summary>
/// The waiting room as a gateway of someone else's embeds it: the three public calls in a host that has none of the stock
/// proxy's middleware (no forwarded headers, no security-headers middleware, no rate limiter of ours), routes built in code.
/// </summary>
public sealed class EmbeddedGatewayTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private readonly RedisFixture _redis = redis;

    [Fact]
    public async Task RouteGatedInCode_WithTheQueueOn_IsDiverted_AndAnUngatedRouteIsNot()
    {
        var room = RoomName();
        await using var gateway = await StartAsync(room, mode: "On", routes =>
            routes.AddWaitingRoomRoutes(route => route.RouteId == "orders" ? room : null));
        using var client = gateway.GetTestClient();

        using var gated = await client.SendAsync(Api(HttpMethod.Get, "/orders/api/echo"), Cancellation);
        using var ungated = await client.SendAsync(Api(HttpMethod.Get, "/public/api/echo"), Cancellation);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, gated.StatusCode);
        Assert.NotNull(gated.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, ungated.StatusCode);
        Assert.False(ungated.Headers.Contains("Set-Cookie"), "an ungated route must not hand out waiting-room cookies");
    }

    [Fact]
    public async Task UngatedRoute_ClientSentVisitorHeader_NeverReachesTheBackend()
    {
        var room = RoomName();
        await using var gateway = await StartAsync(room, mode: "Off");
        using var client = gateway.GetTestClient();
        using var request = Api(HttpMethod.Get, "/public/api/echo");
        request.Headers.Add(WaitingRoomHeaders.Visitor, "someone-else");

        using var response = await client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("visitor=", await response.Content.ReadAsStringAsync(Cancellation));
    }

    [Fact]
    public async Task WaitingRoomEndpoints_InAHostWithoutOurMiddleware_CarryTheirOwnKeyCheckLimitAndSecurityHeaders()
    {
        var room = RoomName();
        await using var gateway = await StartAsync(room, mode: "Off", extra: new()
        {
            ["WaitingRoom:RateLimits:VisitorPerSecond"] = "1",
            ["WaitingRoom:RateLimits:VisitorBurst"] = "1",
        });
        using var client = gateway.GetTestClient();

        using var noKey = await client.GetAsync("/_wr/admin/rooms", Cancellation);
        using var first = await client.GetAsync($"/_wr/rooms/{room}/tickets/not-a-ticket", Cancellation);
        using var second = await client.GetAsync($"/_wr/rooms/{room}/tickets/not-a-ticket", Cancellation);
        using var hostsOwn = await client.GetAsync("/own-limited", Cancellation);
        using var hostsOwnAgain = await client.GetAsync("/own-limited", Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.True(noKey.Headers.Contains("Content-Security-Policy"), "the admin API's 401 carries the security headers");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.True(first.Headers.Contains("X-Content-Type-Options"), "a visitor endpoint's answer carries the security headers");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
        // The host's own rate limiter keeps the host's own rejection settings: the waiting room did not touch them.
        Assert.Equal(HttpStatusCode.OK, hostsOwn.StatusCode);
        Assert.Equal((HttpStatusCode)418, hostsOwnAgain.StatusCode);
    }

    [Fact]
    public async Task RouteNamingAnUnknownRoom_StopsTheGatewayFromStarting()
    {
        var room = RoomName();

        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var gateway = await StartAsync(room, mode: "Off", routes =>
                routes.AddWaitingRoomRoutes(route => route.RouteId == "orders" ? "no-such-room" : null));
        });

        Assert.Contains("no-such-room", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WithWaitingRoom_SetsTheRoom_AndKeepsTheRouteOtherMetadata()
    {
        var route = new RouteConfig
        {
            RouteId = "r",
            ClusterId = "c",
            Match = new RouteMatch { Path = "/x" },
            Metadata = new Dictionary<string, string> { ["Team"] = "tickets" },
        };

        var gated = route.WithWaitingRoom("concert");

        Assert.Equal("concert", gated.Metadata![WaitingRoomHeaders.RouteMetadataKey]);
        Assert.Equal("tickets", gated.Metadata["Team"]);
        Assert.False(route.Metadata.ContainsKey(WaitingRoomHeaders.RouteMetadataKey), "the original route is left as it was");
    }

    /// <summary>A gateway of its own: routes in code (orders gated by the caller's choice, public not), the backend stub behind both.</summary>
    private async Task<WebApplication> StartAsync(
        string room, string mode, Action<IReverseProxyBuilder>? gate = null, Dictionary<string, string?>? extra = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = _redis.ConnectionString,
            ["WaitingRoom:AdminKey"] = ProxyApp.AdminKey,
            ["WaitingRoom:SigningKeys:test"] = ProxyApp.SigningSecret,
            ["WaitingRoom:SecureCookies"] = "false",
            [$"WaitingRoom:Rooms:{room}:Mode"] = mode,
        });
        builder.Configuration.AddInMemoryCollection(extra ?? []);
        RouteConfig[] routes =
        [
            new() { RouteId = "orders", ClusterId = "backend", Match = new() { Path = "/orders/{**rest}" } },
            new() { RouteId = "public", ClusterId = "backend", Match = new() { Path = "/public/{**rest}" } },
        ];
        ClusterConfig[] clusters =
        [
            new() { ClusterId = "backend", Destinations = new Dictionary<string, DestinationConfig> { ["stub"] = new() { Address = Backend.Address.ToString() } } },
        ];
        var proxy = builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddWaitingRoom(builder.Configuration.GetSection("WaitingRoom"))
            .AddTransforms(transforms => transforms.AddPathRemovePrefix(transforms.Route.RouteId == "orders" ? "/orders" : "/public"));
        gate?.Invoke(proxy);
        // The host's own limiter, with its own rejection status: the waiting room must leave it alone.
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = 418;
            limiter.AddPolicy("own", context => RateLimitPartition.GetFixedWindowLimiter("all", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = 1,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            }));
        });

        var app = builder.Build();
        app.UseRateLimiter();
        app.MapGet("/own-limited", () => "ok").RequireRateLimiting("own");
        app.MapWaitingRoomEndpoints();
        app.MapReverseProxy(pipeline => pipeline.UseWaitingRoom());
        try
        {
            await app.StartAsync(Cancellation);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }
}

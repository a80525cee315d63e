using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SocketHub.Tests.Embedding;

/// <summary>
/// The hub as a site of someone else's hosts it: <c>AddWaitingRoomHub</c> and <c>MapWaitingRoomHub</c> in a host with none of
/// the stock hub's middleware (no WebSockets, static files, security headers or rate limiter of its own).
/// </summary>
public sealed class EmbeddedHubTests(RedisFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WaitingPage_InAHostWithoutOurMiddleware_RendersWithItsSecurityHeaders_AndItsAssetsFromTheAssembly()
    {
        var room = "r" + Guid.NewGuid().ToString("N")[..10];
        await using var site = await StartAsync(room, visitorLimit: 100);
        using var client = site.GetTestClient();
        var token = await QueuedTicketAsync(room);

        using var page = await client.GetAsync(WaitingRoomPaths.WaitPage(room, token, "/"), Cancellation);
        using var script = await client.GetAsync(WaitingRoomPaths.WaitAssets + "/wait.js", Cancellation);
        using var again = new HttpRequestMessage(HttpMethod.Get, WaitingRoomPaths.WaitAssets + "/wait.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        using var unchanged = await client.SendAsync(again, Cancellation);
        using var unknown = await client.GetAsync(WaitingRoomPaths.WaitAssets + "/secrets.json", Cancellation);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("wait.js", await page.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.True(page.Headers.Contains("Content-Security-Policy"), "the waiting page carries its security headers without the host's help");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.StartsWith("text/javascript", script.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(await script.Content.ReadAsByteArrayAsync(Cancellation));
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Socket_InAHostWithoutWebSocketMiddleware_Upgrades_AndGreetsWithThePosition()
    {
        var room = "r" + Guid.NewGuid().ToString("N")[..10];
        await using var site = await StartAsync(room, visitorLimit: 100);
        var token = await QueuedTicketAsync(room);
        var sockets = site.GetTestServer().CreateWebSocketClient();

        using var socket = await sockets.ConnectAsync(new Uri("ws://localhost" + WaitingRoomPaths.SocketUrl(room, token)), Cancellation);
        var buffer = new byte[4096];
        var greeting = await socket.ReceiveAsync(buffer, Cancellation);

        Assert.Contains("\"position\"", System.Text.Encoding.UTF8.GetString(buffer, 0, greeting.Count), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitingPage_OverTheVisitorLimit_Answers429WithRetryAfter()
    {
        var room = "r" + Guid.NewGuid().ToString("N")[..10];
        await using var site = await StartAsync(room, visitorLimit: 1);
        using var client = site.GetTestClient();
        var token = await QueuedTicketAsync(room);

        using var first = await client.GetAsync(WaitingRoomPaths.WaitPage(room, token, "/"), Cancellation);
        using var second = await client.GetAsync(WaitingRoomPaths.WaitPage(room, token, "/"), Cancellation);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)), second.Headers.RetryAfter);
    }

    [Fact]
    public async Task UseWaitingRoomSocket_ServesTheSocketAheadOfTheMiddlewareAfterIt_AndOtherRequestsGoOn()
    {
        var room = "r" + Guid.NewGuid().ToString("N")[..10];
        var seenLater = new List<string>();
        await using var site = await StartAsync(room, visitorLimit: 100, early: app =>
        {
            app.UseWaitingRoomSocket();
            app.Use(next => context =>
            {
                lock (seenLater)
                {
                    seenLater.Add(context.Request.Path.Value ?? string.Empty);
                }

                return next(context);
            });
        });
        var token = await QueuedTicketAsync(room);
        var sockets = site.GetTestServer().CreateWebSocketClient();
        using var client = site.GetTestClient();

        using var socket = await sockets.ConnectAsync(new Uri("ws://localhost" + WaitingRoomPaths.SocketUrl(room, token)), Cancellation);
        var buffer = new byte[4096];
        var greeting = await socket.ReceiveAsync(buffer, Cancellation);
        using var page = await client.GetAsync(WaitingRoomPaths.WaitPage(room, token, "/"), Cancellation);

        Assert.Contains("\"position\"", System.Text.Encoding.UTF8.GetString(buffer, 0, greeting.Count), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        lock (seenLater)
        {
            Assert.Equal([WaitingRoomPaths.WaitPrefix + "/" + room], seenLater);
        }
    }

    [Fact]
    public async Task UseWaitingRoomSocket_KeepsTheSocketsGuard_SecurityHeadersAndTheVisitorLimit()
    {
        var room = "r" + Guid.NewGuid().ToString("N")[..10];
        await using var site = await StartAsync(room, visitorLimit: 1, early: app => app.UseWaitingRoomSocket());
        using var client = site.GetTestClient();

        // Not an upgrade: answered by the socket's own pipeline (400), then refused by the visitor limit (429).
        using var first = await client.GetAsync(WaitingRoomPaths.Socket, Cancellation);
        using var second = await client.GetAsync(WaitingRoomPaths.Socket + "/", Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.True(first.Headers.Contains("Content-Security-Policy"), "the socket's answers carry the security headers");
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(new RetryConditionHeaderValue(TimeSpan.FromSeconds(1)), second.Headers.RetryAfter);
    }

    private async Task<string> QueuedTicketAsync(string room)
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var visitor = "v" + Guid.NewGuid().ToString("N")[..12];
        var join = await new QueueStore(connection, room, new RoomOptions(), TimeProvider.System).JoinAsync(visitor, queueOff: false);
        return HubApp.TicketFor(room, visitor, join.Ticket);
    }

    private async Task<WebApplication> StartAsync(string room, int visitorLimit, Action<WebApplication>? early = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["WaitingRoom:SigningKeys:test"] = HubApp.SigningSecret,
            [$"WaitingRoom:Rooms:{room}:MaxActive"] = "10",
            ["WaitingRoom:RateLimits:VisitorPerSecond"] = visitorLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["WaitingRoom:RateLimits:VisitorBurst"] = visitorLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Site:InstanceName"] = "embedded",
        });
        builder.Services.AddWaitingRoomHub(builder.Configuration.GetSection("WaitingRoom"), builder.Configuration.GetSection("Site"));

        var app = builder.Build();
        early?.Invoke(app);
        app.MapWaitingRoomHub();
        await app.StartAsync(Cancellation);
        return app;
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.SocketHub.Diagnostics;
using YarpWaitingRoom.SocketHub.Endpoints;
using YarpWaitingRoom.SocketHub.Push;
using YarpWaitingRoom.SocketHub.Sessions;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.SocketHub.Extensions;

internal static class Extensions
{
    public static void AddSocketHub(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WaitingRoomOptions>().BindConfiguration(WaitingRoomOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SocketHubOptions>().BindConfiguration(SocketHubOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // The client's address as nginx reports it: what the per-address limits count.
        services.AddTrustedForwardedHeaders<SocketHubOptions>(hub => hub.TrustedProxies);
        // The proxies' visitor limit, on the waiting page and on WebSocket upgrades (429 before the upgrade).
        services.AddRateLimiter(limiter => limiter
            .AddVisitorPolicy()
            .RejectWithProblem(static (context, _) => context.RequestServices.GetRequiredService<HubMetrics>().Refused("rate-limited")));
        services.AddSingleton<UpgradeOrigins>();
        services.AddSingleton<SocketAddressLimiter>();

        services.AddRedisConnection(provider => "socket-hub-" + provider.GetRequiredService<IOptions<SocketHubOptions>>().Value.InstanceName);
        // Every store call runs through one policy (breaker, busy vs stalled). The hub's calls are batches that grow
        // with its sockets (heartbeats, notices), so they keep the client library's own 5-s timeout.
        services.AddSingleton(provider => new RedisCallPolicy(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            new RedisCallOptions { Timeout = TimeSpan.FromSeconds(5), StallAfter = TimeSpan.FromSeconds(10) },
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new TokenService(provider.GetRequiredService<IOptions<WaitingRoomOptions>>().Value.BuildSigningKeys()));
        services.AddSingleton<RoomDirectory>();
        services.AddSingleton<HubMetrics>();
        services.AddSingleton<SessionCloser>();
        services.AddSingleton<AdmissionNotifier>();
        services.AddSingleton<WaitingSocket>();
        services.AddSingleton<PositionPusher>();
        services.AddHostedService(provider => provider.GetRequiredService<PositionPusher>());
        services.AddHostedService<HeartbeatFlusher>();
        services.AddHostedService<AdmissionSubscriber>();
        services.AddSingleton<HubDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<HubDrain>());

        services.AddHealthChecks().AddRedisCheck(HealthStatus.Unhealthy, minimumVersion: RedisConnection.ShardedPubSubVersion);
    }

    public static void UseSocketHub(this WebApplication app)
    {
        // Server pings keep idle connections (and NAT mappings) alive between pushes.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = WaitingRoomPaths.WaitAssets,
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "public, max-age=300",
        });
    }

    public static void MapSocketHub(this WebApplication app)
    {
        app.Map("/ws", (HttpContext context, WaitingSocket socket) => socket.HandleAsync(context))
            .RequireRateLimiting(ClientRateLimiting.VisitorPolicy);
        app.MapGet(WaitingRoomPaths.WaitPrefix + "/{room}", WaitingPageEndpoint.GetAsync)
            .RequireRateLimiting(ClientRateLimiting.VisitorPolicy);
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
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

        services.AddRedisConnection(provider => "socket-hub-" + provider.GetRequiredService<IOptions<SocketHubOptions>>().Value.InstanceName);
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
            RequestPath = "/_wr/wait-assets",
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "public, max-age=300",
        });
    }

    public static void MapSocketHub(this WebApplication app)
    {
        app.Map("/ws", (HttpContext context, WaitingSocket socket) => socket.HandleAsync(context));
        app.MapGet("/_wr/wait/{room}", WaitingPageEndpoint.GetAsync);
    }
}

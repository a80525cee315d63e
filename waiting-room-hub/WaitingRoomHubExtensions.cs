using YarpWaitingRoom.Hub.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the waiting room's socket hub (the waiting page and its WebSocket) to an ASP.NET Core site.</summary>
public static class WaitingRoomHubServiceCollectionExtensions
{
    /// <summary>
    /// Adds the hub: sessions held in this process, positions pushed, admission notices received over Redis and
    /// delivered once across every hub, heartbeats flushed, and a drain that hands sockets to another hub (close code
    /// 1012) when the application stops. Adds the health check <c>waiting-room-hub-redis</c> (tagged <c>ready</c>).
    /// Map it with <c>app.MapWaitingRoomHub()</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="waitingRoom">
    /// The waiting room's section (usually <c>WaitingRoom</c>), the same the gateway's <c>AddWaitingRoom</c> reads: rooms,
    /// signing keys, and <c>RateLimits</c> (the visitor limit applies to the page and the WebSocket).
    /// </param>
    /// <param name="hub">
    /// The hub's own section (usually <c>SocketHub</c>): <c>InstanceName</c>, <c>PushInterval</c>, <c>AllowedOrigins</c>,
    /// <c>MaxSocketsPerAddress</c>, <c>MaxSocketsPerTicket</c> and the other limits. Redis is <c>ConnectionStrings:Redis</c>
    /// unless the application registered its own <c>IConnectionMultiplexer</c>.
    /// </param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddWaitingRoomHub(this IServiceCollection services, IConfiguration waitingRoom, IConfiguration hub)
    {
        HubRegistration.Add(services, waitingRoom, hub);
        return services;
    }
}

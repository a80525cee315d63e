using Yarp.ReverseProxy.Configuration;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Yarp.Extensions;
using YarpWaitingRoom.Yarp.Gate;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the waiting room to a YARP gateway: <c>services.AddReverseProxy().LoadFromConfig(...).AddWaitingRoom(...)</c>.</summary>
public static class WaitingRoomReverseProxyBuilderExtensions
{
    /// <summary>
    /// Adds the waiting room: the gate (<c>UseWaitingRoom()</c> in <c>MapReverseProxy</c>), the <c>/_wr/</c> endpoints
    /// (<c>MapWaitingRoomEndpoints()</c>), the queue switch, admission and abandonment loops, metrics, and the health checks
    /// <c>waiting-room-redis</c> and <c>waiting-room-admission</c> (tagged <c>ready</c>). Routes opt in with the metadata
    /// <c>"WaitingRoom": "&lt;room&gt;"</c>. The options are validated when the application starts.
    /// </summary>
    /// <param name="builder">The gateway's reverse proxy builder.</param>
    /// <param name="configuration">
    /// The waiting room's section (usually <c>WaitingRoom</c>): <c>Rooms</c>, <c>SigningKeys</c>, <c>AdminKey</c>,
    /// <c>SecureCookies</c>, and the <c>Gate</c> and <c>RateLimits</c> subsections. Redis is <c>ConnectionStrings:Redis</c>,
    /// unless the application registers its own <c>IConnectionMultiplexer</c>.
    /// </param>
    /// <returns>The same builder, for chaining.</returns>
    public static IReverseProxyBuilder AddWaitingRoom(this IReverseProxyBuilder builder, IConfiguration configuration) =>
        builder.AddWaitingRoom(configuration, configure: null);

    /// <summary>As <see cref="AddWaitingRoom(IReverseProxyBuilder, IConfiguration)"/>, then <paramref name="configure"/> adjusts the bound options.</summary>
    /// <param name="builder">The gateway's reverse proxy builder.</param>
    /// <param name="configuration">The waiting room's section (usually <c>WaitingRoom</c>).</param>
    /// <param name="configure">Runs after binding and before validation, e.g. to add a room in code.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IReverseProxyBuilder AddWaitingRoom(this IReverseProxyBuilder builder, IConfiguration configuration, Action<WaitingRoomOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        WaitingRoomRegistration.Add(builder.Services, configuration, configure);
        builder.Services.AddOptions<WaitingRoomRouteSelectors>();
        builder.AddConfigFilter<WaitingRoomRouteFilter>();
        builder.AddTransforms<EndSessionTransformProvider>();
        builder.AddTransforms<YarpWaitingRoom.Yarp.Inventory.InventoryTransformProvider>();
        return builder;
    }

    /// <summary>
    /// Gates routes in code, for gateways that build their routes rather than configure them: every route YARP loads is
    /// offered to <paramref name="roomOf"/>, and a room name it returns is set as the route's <c>WaitingRoom</c> metadata
    /// (null leaves the route as it is). Call after <c>AddWaitingRoom</c>; with several calls the first room returned wins.
    /// </summary>
    /// <param name="builder">The gateway's reverse proxy builder.</param>
    /// <param name="roomOf">The room that gates a route, or null for none.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IReverseProxyBuilder AddWaitingRoomRoutes(this IReverseProxyBuilder builder, Func<RouteConfig, string?> roomOf)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(roomOf);
        builder.Services.Configure<WaitingRoomRouteSelectors>(selectors => selectors.Selectors.Add(roomOf));
        return builder;
    }
}

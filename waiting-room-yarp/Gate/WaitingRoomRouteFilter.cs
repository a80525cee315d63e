using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Every route YARP loads passes here before it is used: routes the gateway gates in code
/// (<see cref="WaitingRoomRouteSelectors"/>) get the <c>WaitingRoom</c> metadata, and a route whose metadata names a room
/// that is not configured is refused, so a typo never leaves a route ungated without a word: at start the application
/// does not start, on a reload YARP keeps the previous configuration and logs the error.
/// </summary>
internal sealed class WaitingRoomRouteFilter(IOptions<WaitingRoomOptions> rooms, IOptions<WaitingRoomRouteSelectors> selectors) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel) => ValueTask.FromResult(cluster);

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(route);
        foreach (var select in selectors.Value.Selectors)
        {
            if (select(route) is { } chosen)
            {
                route = route.WithWaitingRoom(chosen);
                break;
            }
        }

        if (route.Metadata is not null
            && route.Metadata.TryGetValue(WaitingRoomHeaders.RouteMetadataKey, out var room)
            && !rooms.Value.Rooms.ContainsKey(room))
        {
            throw new InvalidOperationException(
                $"Route '{route.RouteId}' names waiting room '{room}' in its {WaitingRoomHeaders.RouteMetadataKey} metadata, " +
                $"but WaitingRoom:Rooms has no such room (configured: {string.Join(", ", rooms.Value.Rooms.Keys)}).");
        }

        return ValueTask.FromResult(route);
    }
}

/// <summary>The functions that gate routes in code (<c>AddWaitingRoomRoutes</c>), first match wins.</summary>
internal sealed class WaitingRoomRouteSelectors
{
    public List<Func<RouteConfig, string?>> Selectors { get; } = [];
}

using Yarp.ReverseProxy.Configuration;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom;

/// <summary>Gates a route built in code.</summary>
public static class WaitingRoomRouteConfigExtensions
{
    /// <summary>A copy of <paramref name="route"/> whose <c>WaitingRoom</c> metadata names <paramref name="room"/> (other metadata kept).</summary>
    /// <param name="route">The route to gate.</param>
    /// <param name="room">A room configured under <c>WaitingRoom:Rooms</c>.</param>
    /// <returns>The gated route.</returns>
    public static RouteConfig WithWaitingRoom(this RouteConfig route, string room)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentException.ThrowIfNullOrWhiteSpace(room);
        var metadata = route.Metadata is null
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(route.Metadata, StringComparer.OrdinalIgnoreCase);
        metadata[WaitingRoomHeaders.RouteMetadataKey] = room;
        return route with { Metadata = metadata };
    }
}

using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Configuration;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Yarp.Traffic;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Each route's <see cref="GatedRoute"/>, resolved on its first request and remembered with the <see cref="RouteConfig"/>
/// instance YARP hands every request of that route. A configuration reload brings new instances (resolved afresh, so a
/// route that joins or leaves a room is seen at once); the old ones and their entries go with them.
/// </summary>
internal sealed class GatedRoutes(RoomRegistry rooms, TrafficCounter traffic, GateMetrics metrics)
{
    private readonly ConditionalWeakTable<RouteConfig, GatedRoute> _routes = [];

    /// <summary>The route's room and series, or <see cref="GatedRoute.NotGated"/>.</summary>
    public GatedRoute Of(RouteConfig route) =>
        _routes.TryGetValue(route, out var known) ? known : _routes.GetValue(route, Resolve);

    private GatedRoute Resolve(RouteConfig route)
    {
        if (route.Metadata is null
            || !route.Metadata.TryGetValue(WaitingRoomHeaders.RouteMetadataKey, out var roomName)
            || !rooms.TryGet(roomName, out var room))
        {
            return GatedRoute.NotGated;
        }

        return new GatedRoute(room, route.RouteId, traffic.CellOf(room.Name, route.RouteId), metrics.SeriesOf(room.Name, route.RouteId));
    }
}

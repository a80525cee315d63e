using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Yarp.Traffic;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// What the gate needs of one route, resolved once (<see cref="GatedRoutes"/>): the room its metadata names, or none,
/// and for a gated route its traffic cell and metric series, so a request pays no metadata, dictionary or label lookup.
/// </summary>
internal sealed class GatedRoute
{
    /// <summary>A route that names no room (or none this gateway has): the gate passes it untouched.</summary>
    public static readonly GatedRoute NotGated = new();

    private GatedRoute()
    {
        RouteId = string.Empty;
    }

    public GatedRoute(Room room, string routeId, TrafficCounter.Cell traffic, GateMetrics.RouteSeries metrics)
    {
        Room = room;
        RouteId = routeId;
        Traffic = traffic;
        Metrics = metrics;
    }

    /// <summary>The room; null when the route is not gated.</summary>
    public Room? Room { get; }

    public string RouteId { get; }

    public TrafficCounter.Cell? Traffic { get; }

    public GateMetrics.RouteSeries? Metrics { get; }
}

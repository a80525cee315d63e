namespace YarpWaitingRoom.Traffic;

/// <summary>One route's calls and latency (gate plus backend) over a window, all edge instances (<see cref="TrafficStore.ReadRoutesAsync"/>).</summary>
/// <param name="Room">The room the route belongs to.</param>
/// <param name="Route">The YARP route id.</param>
/// <param name="Count">Calls in the window.</param>
/// <param name="RatePerSecond">Calls per second over the window.</param>
/// <param name="MeanMs">Mean time per call, or null without calls.</param>
/// <param name="P95Ms">95th percentile (interpolated within its latency bucket), or null without calls.</param>
internal sealed record RouteTraffic(string Room, string Route, long Count, double RatePerSecond, double? MeanMs, double? P95Ms);

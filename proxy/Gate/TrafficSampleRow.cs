namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>Requests of one route of one room in one flush interval, and the time the gate and backend took.</summary>
public readonly record struct TrafficSampleRow(string Room, string Route, long Count, TimeSpan Elapsed);

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>Requests of one route of one room in one flush interval, the time the gate and backend took, and its latency buckets.</summary>
public readonly record struct TrafficSampleRow(string Room, string Route, long Count, TimeSpan Elapsed, IReadOnlyList<long> Buckets);

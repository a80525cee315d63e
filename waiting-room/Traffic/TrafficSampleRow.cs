namespace YarpWaitingRoom.Traffic;

/// <summary>
/// Requests of one route of one room in one flush interval, the time the gate and backend took, and its latency buckets
/// (<see cref="Redis.RateFields.LatencyBoundsMs"/>, plus the open bucket): what one proxy adds to the room's traffic
/// (<see cref="TrafficStore.FlushAsync"/>).
/// </summary>
internal readonly record struct TrafficSampleRow(string Room, string Route, long Count, TimeSpan Elapsed, IReadOnlyList<long> Buckets);

namespace YarpWaitingRoom.Switch;

/// <summary>What the switch looks at once a second.</summary>
/// <param name="LastSecond">Requests in the last complete second, all edge instances together.</param>
/// <param name="TenSecondAverage">Mean requests per second over the last ten complete seconds.</param>
/// <param name="Waiting">Visitors in the waiting set.</param>
internal readonly record struct TrafficSample(double LastSecond, double TenSecondAverage, long Waiting);

using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>Per-route calls over the last <paramref name="WindowSeconds"/>, all edge instances.</summary>
internal sealed record TrafficView(int WindowSeconds, RouteTraffic[] Routes);

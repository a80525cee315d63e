using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Gate;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>Dependencies of <see cref="WaitingRoomApi"/>'s handlers, bound with <c>[AsParameters]</c>.</summary>
internal sealed class WaitingRoomServices(
    RoomRegistry rooms, TokenService tokens, WaitingRoomCookies cookies, GateMetrics metrics, TimeProvider timeProvider, ILogger<WaitingRoomServices> logger)
{
    public RoomRegistry Rooms { get; } = rooms;

    public TokenService Tokens { get; } = tokens;

    public WaitingRoomCookies Cookies { get; } = cookies;

    public GateMetrics Metrics { get; } = metrics;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ILogger<WaitingRoomServices> Logger { get; } = logger;
}

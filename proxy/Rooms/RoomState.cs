using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Proxy.Rooms;

/// <summary>A room's switch state as this proxy last saw it (pub/sub plus a 1-second poll keep it fresh).</summary>
public sealed record RoomState(RoomMode Mode, bool QueueOn, DateTimeOffset Since, string Reason)
{
    public static RoomState Initial(RoomOptions options, DateTimeOffset now) =>
        new(options.Mode, options.Mode is RoomMode.On or RoomMode.Paused, now, "initial");
}

using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>
/// The timings the waiting page states and <c>wait.js</c> keeps, from options: nothing in the script or the texts is a
/// number of its own.
/// </summary>
/// <param name="HeartbeatInterval">
/// How often <c>wait.js</c> sends <c>{"type":"heartbeat"}</c>: the room's <see cref="RoomOptions.HeartbeatInterval"/>
/// (<c>WaitingRoom:Rooms:&lt;room&gt;:HeartbeatInterval</c>, the interval the protocol already names, validated below
/// <see cref="RoomOptions.AbandonAfter"/>).
/// </param>
/// <param name="SilenceLimit">How long a socket may stay silent before <c>wait.js</c> drops it and reconnects (see <see cref="For"/>).</param>
/// <param name="AbandonAfter">The room's <see cref="RoomOptions.AbandonAfter"/>: the page says a visitor away longer loses the place.</param>
internal sealed record WaitingPageTimings(TimeSpan HeartbeatInterval, TimeSpan SilenceLimit, TimeSpan AbandonAfter)
{
    /// <summary>
    /// The timings of <paramref name="room"/> (the defaults for a room that is not configured) on a hub that pushes
    /// positions every <paramref name="pushInterval"/> (<c>SocketHub:PushInterval</c>). The silence limit is
    /// <c>2 × PushInterval + HeartbeatInterval</c>: a waiting page hears from its hub every push tick, a tick can run
    /// late while Redis is slow (and a wave of reconnects then would only slow it more), so the link is given up on
    /// only after two ticks have been missed and one heartbeat interval more. With the defaults (10 s, 15 s): 35 s.
    /// </summary>
    public static WaitingPageTimings For(RoomOptions? room, TimeSpan pushInterval)
    {
        room ??= new RoomOptions();
        return new(room.HeartbeatInterval, (2 * pushInterval) + room.HeartbeatInterval, room.AbandonAfter);
    }
}

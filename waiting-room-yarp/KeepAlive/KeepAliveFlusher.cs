using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.KeepAlive;

/// <summary>
/// Once a second, writes each room's keep-alives received by this proxy (<see cref="KeepAliveBeats"/>) to Redis: one
/// touch script per room per flush however many visitors beat, as the hubs do with the waiting page's heartbeats. The
/// touch marks an admitted ticket in <c>active:seen</c>, so the reaper watches it from its first keep-alive on: a page that
/// stops beating (closed, or its visitor gone) is given up after <c>AbandonAfter</c>.
/// </summary>
internal sealed partial class KeepAliveFlusher(
    RoomRegistry rooms,
    GateMetrics metrics,
    TimeProvider timeProvider,
    ILogger<KeepAliveFlusher> logger) : PerRoomFlusher(rooms, timeProvider)
{
    /// <summary>Writes the room's pending keep-alives, if any; on a failure they are kept for the next flush.</summary>
    internal override async Task FlushAsync(Room room)
    {
        var beats = room.KeepAlives.Drain();
        if (beats.Count == 0)
        {
            return;
        }

        try
        {
            await room.Queue.KeepAliveAsync(beats);
            metrics.KeepAliveFlushed(room.Name, beats.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Put them back: a beat a second late is fine, a beat lost could cost the visitor the session.
            foreach (var (ticket, at) in beats)
            {
                room.KeepAlives.Note(ticket, at);
            }

            Log.FlushFailed(logger, room.Name, beats.Count, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.KeepAliveFlushFailed, LogLevel.Warning, "Room {Room}: writing {Count} keep-alives failed; retrying next flush")]
        public static partial void FlushFailed(ILogger logger, string room, int count, Exception exception);
    }
}

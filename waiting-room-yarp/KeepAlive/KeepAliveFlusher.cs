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
    ILogger<KeepAliveFlusher> logger) : PerRoomFlusher(rooms, timeProvider, Interval)
{
    /// <summary>
    /// How often the keep-alives are written: a quarter second, so a page is recorded as seen at most that long after it
    /// beat (a closed tab is given up <c>AbandonAfter</c> plus one reaper period after its last beat, give or take this),
    /// for one Redis call per room and interval, and only when pages beat.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Writes the room's pending keep-alives, if any; on a failure they are kept for the next flush.</summary>
    internal override async Task FlushAsync(Room room)
    {
        var tickets = room.KeepAlives.Drain();
        if (tickets.Count == 0)
        {
            return;
        }

        try
        {
            await room.Queue.KeepAliveAsync(tickets);
            metrics.KeepAliveFlushed(room.Name, tickets.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Put them back: a beat a second late is fine, a beat lost could cost the visitor the session.
            foreach (var ticket in tickets)
            {
                room.KeepAlives.Note(ticket);
            }

            Log.FlushFailed(logger, room.Name, tickets.Count, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.KeepAliveFlushFailed, LogLevel.Warning, "Room {Room}: writing {Count} keep-alives failed; retrying next flush")]
        public static partial void FlushFailed(ILogger logger, string room, int count, Exception exception);
    }
}

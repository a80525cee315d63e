using YarpWaitingRoom.Hosting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Sessions;

namespace YarpWaitingRoom.Hub.Push;

/// <summary>
/// Writes the heartbeats received in the last interval to the room's <c>seen</c> set: one touch script per room per
/// flush, however many clients beat. Tickets the script reports gone (reaped while the client was away) are told so.
/// </summary>
internal sealed partial class HeartbeatFlusher(
    RoomDirectory rooms,
    SessionCloser closer,
    IOptions<SocketHubOptions> options,
    TimeProvider timeProvider,
    ILogger<HeartbeatFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatFlushInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var room in rooms.All)
            {
                // Stopping does not wait for Redis: a second of heartbeats is lost at most, well inside AbandonAfter.
                await FlushAsync(room).WaitOrAbandonAsync(stoppingToken);
            }
        }
    }

    internal async Task FlushAsync(RoomContext room)
    {
        var tickets = room.DrainHeartbeats();
        if (tickets.Count == 0)
        {
            return;
        }

        try
        {
            var states = await room.Queue.TouchAsync(tickets);
            var gone = new List<string>();
            for (var i = 0; i < tickets.Count; i++)
            {
                if (states[i] == TicketState.Gone)
                {
                    gone.Add(tickets[i]);
                }
            }

            if (gone.Count > 0)
            {
                // Rare (a place lost while its socket was open): one more round trip to tell them why.
                var reasons = await room.Queue.GoneReasonsAsync(gone);
                for (var i = 0; i < gone.Count; i++)
                {
                    foreach (var session in room.SessionsOf(gone[i]))
                    {
                        closer.Gone(session, reasons[i].ToWireReason());
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Put them back: a beat delayed by a second is fine, a beat lost could cost a place.
            foreach (var ticket in tickets)
            {
                room.Heartbeat(ticket);
            }

            Log.FlushFailed(logger, room.Name, tickets.Count, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.HeartbeatFlushFailed, LogLevel.Warning, "Room {Room}: writing {Count} heartbeats failed; retrying next flush")]
        public static partial void FlushFailed(ILogger logger, string room, int count, Exception exception);
    }
}

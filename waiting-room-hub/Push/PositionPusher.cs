using YarpWaitingRoom.Hosting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Sessions;

namespace YarpWaitingRoom.Hub.Push;

/// <summary>
/// Every PushInterval, sends each local session its position. Where the tickets stand is read by the room's store
/// (<see cref="QueueStore.GetStatusesAsync"/>: one call per <see cref="SocketHubOptions.PositionBatchSize"/> sessions), plus
/// one read of the room's state (queue on, admission rate for the ETA). A ticket found admitted whose connection has no
/// notice yet gets one through <see cref="AdmissionNotifier.DeliverAsync"/> (a lost Pub/Sub message never strands a
/// visitor); a ticket gone is told so and closed.
/// </summary>
internal sealed partial class PositionPusher(
    RoomDirectory rooms,
    AdmissionNotifier notifier,
    SessionCloser closer,
    IOptions<SocketHubOptions> options,
    HubMetrics metrics,
    TimeProvider timeProvider,
    ILogger<PositionPusher> logger) : BackgroundService
{
    private readonly SocketHubOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var room in rooms.All)
        {
            metrics.Prepare(room.Name);
        }

        using var timer = new PeriodicTimer(_options.PushInterval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var room in rooms.All)
            {
                try
                {
                    await PushAsync(room).WaitOrAbandonAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.PushFailed(logger, room.Name, ex);
                }
            }
        }
    }

    /// <summary>
    /// One tick for one room; returns the Redis round trips it took: the room's state, then every session's ticket in
    /// status calls of <see cref="SocketHubOptions.PositionBatchSize"/> tickets, all in flight together, then one delivery
    /// call when some tickets turned out admitted with a connection here that has no notice yet.
    /// </summary>
    internal async Task<int> PushAsync(RoomContext room)
    {
        var started = timeProvider.GetTimestamp();
        var now = timeProvider.GetUtcNow();
        var snapshot = await room.Switch.ReadAsync(now);
        room.Snapshot = snapshot;
        var tickets = room.Tickets.ToArray();
        var statuses = await room.Queue.GetStatusesAsync(tickets, _options.PositionBatchSize);
        var roundTrips = 1 + ((tickets.Length + _options.PositionBatchSize - 1) / _options.PositionBatchSize);

        var admitted = new List<string>();
        for (var i = 0; i < tickets.Length; i++)
        {
            var status = statuses[i];
            switch (status.State)
            {
                case TicketState.Waiting:
                    var message = HubMessages.Position(status.Position, snapshot.EtaSeconds(status.Position, now, room.Options), snapshot.Switch.QueueOn);
                    foreach (var session in room.SessionsOf(tickets[i]))
                    {
                        Send(room, session, message, "position");
                    }

                    break;
                case TicketState.Active:
                    if (room.SessionsOf(tickets[i]).Any(s => !s.AdmittedSent))
                    {
                        admitted.Add(tickets[i]);
                    }

                    break;
                default:
                    var reason = status.Reason.ToWireReason();
                    foreach (var session in room.SessionsOf(tickets[i]))
                    {
                        closer.Gone(session, reason);
                    }

                    break;
            }
        }

        if (admitted.Count > 0)
        {
            await notifier.DeliverAsync(room, admitted, DeliveryCause.PushTick);
            roundTrips++;
        }

        metrics.Tick(room.Name, timeProvider.GetElapsedTime(started), roundTrips, tickets.Length);
        return roundTrips;
    }

    private void Send(RoomContext room, HubSession session, byte[] message, string type)
    {
        if (session.Enqueue(message))
        {
            metrics.Out(type);
        }
        else
        {
            metrics.Dropped(room.Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.PushFailed, LogLevel.Warning, "Room {Room}: position push failed; next tick retries")]
        public static partial void PushFailed(ILogger logger, string room, Exception exception);
    }
}

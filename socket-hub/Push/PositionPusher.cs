using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.SocketHub.Diagnostics;
using YarpWaitingRoom.SocketHub.Extensions;
using YarpWaitingRoom.SocketHub.Sessions;

namespace YarpWaitingRoom.SocketHub.Push;

/// <summary>
/// Every PushInterval, sends each local session its position. Ranks (and, for tickets no longer waiting, their active
/// score) are read in pipelined batches: one Redis round trip per <see cref="SocketHubOptions.PositionBatchSize"/>
/// sessions, plus one for the room's state (queue on, admission rate for the ETA). A ticket found active whose
/// connection has no notice yet gets one (a lost Pub/Sub message never strands a visitor); a ticket gone from both
/// sets is told so and closed.
/// </summary>
internal sealed partial class PositionPusher(
    RoomDirectory rooms,
    IConnectionMultiplexer redis,
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
                    Log.PushFailed(logger, room.Name, ex.Message);
                }
            }
        }
    }

    /// <summary>
    /// One tick for one room; returns the Redis round trips it took. Ranks go out in pipelined batches, all in flight
    /// together; only the tickets not waiting any more are then looked up in the active set (one more round trip), and
    /// the admitted ones that have no notice yet are claimed in one batch.
    /// </summary>
    internal async Task<int> PushAsync(RoomContext room)
    {
        var started = timeProvider.GetTimestamp();
        var now = timeProvider.GetUtcNow();
        var snapshot = await room.Switch.ReadAsync(now);
        room.Snapshot = snapshot;
        var roundTrips = 1;
        var tickets = room.Tickets.ToArray();
        var db = redis.GetDatabase();

        var ranks = new Task<long?>[tickets.Length];
        for (var offset = 0; offset < tickets.Length; offset += _options.PositionBatchSize)
        {
            var batch = db.CreateBatch();
            for (var i = offset; i < Math.Min(offset + _options.PositionBatchSize, tickets.Length); i++)
            {
                ranks[i] = batch.SortedSetRankAsync(room.Queue.Keys.Waiting, tickets[i]);
            }

            batch.Execute();
            roundTrips++;
        }

        await Task.WhenAll(ranks);
        var missing = new List<string>();
        for (var i = 0; i < tickets.Length; i++)
        {
            if (ranks[i].Result is { } rank)
            {
                var position = rank + 1;
                var message = HubMessages.Position(position, snapshot.EtaSeconds(position, now, room.Options), snapshot.Switch.QueueOn);
                foreach (var session in room.SessionsOf(tickets[i]))
                {
                    Send(room, session, message, "position");
                }
            }
            else
            {
                missing.Add(tickets[i]);
            }
        }

        if (missing.Count > 0)
        {
            roundTrips += await SettleMissingAsync(room, db, missing, now);
        }

        metrics.Tick(room.Name, timeProvider.GetElapsedTime(started), roundTrips, tickets.Length);
        return roundTrips;
    }

    /// <summary>Tickets no longer waiting: admitted ones get their notice if they have none; the rest are told they are gone.</summary>
    private async Task<int> SettleMissingAsync(RoomContext room, IDatabase db, List<string> missing, DateTimeOffset now)
    {
        var batch = db.CreateBatch();
        var scores = missing.Select(t => batch.SortedSetScoreAsync(room.Queue.Keys.Active, t)).ToArray();
        var reasons = batch.HashGetAsync(room.Queue.Keys.GoneReasons, missing.Select(t => (RedisValue)t).ToArray());
        batch.Execute();
        await Task.WhenAll(scores);
        var why = await reasons;

        var admitted = new List<string>();
        for (var i = 0; i < missing.Count; i++)
        {
            if (scores[i].Result is { } until && until > now.ToUnixTimeMilliseconds())
            {
                if (room.SessionsOf(missing[i]).Any(s => !s.AdmittedSent))
                {
                    admitted.Add(missing[i]);
                }
            }
            else
            {
                var reason = QueueStore.ParseGoneReason(why[i]).ToWireReason();
                foreach (var session in room.SessionsOf(missing[i]))
                {
                    closer.Gone(session, reason);
                }
            }
        }

        if (admitted.Count == 0)
        {
            return 1;
        }

        await notifier.OnFoundActiveAsync(room, admitted);
        return 2;
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
        [LoggerMessage(EventIds.PushFailed, LogLevel.Warning, "Room {Room}: position push failed ({Message}); next tick retries")]
        public static partial void PushFailed(ILogger logger, string room, string message);
    }
}

using YarpWaitingRoom.Hosting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Sessions;

namespace YarpWaitingRoom.Hub.Push;

/// <summary>
/// Every PushInterval, sends each local session its place, computed here (<see cref="PositionBook"/>): a room's tick
/// reads its state (queue on, admission rate for the ETA) and the queue's front with the departures since the last tick
/// (<see cref="PositionTracker"/>), two round trips whatever the number of sessions. Departures the events name close
/// their sessions here with their reason. A ticket the front has passed whose connection has no notice yet, or that left
/// without an event seen here, is asked about in one status call (rare: a lost or late notice); one found admitted gets
/// its notice through <see cref="AdmissionNotifier.DeliverAsync"/> (a lost Pub/Sub message never strands a visitor), one
/// gone is told so and closed. Each tick checks one local ticket's computed place against its ZRANK, read at the same
/// moment; a difference is counted, logged, and the book is read whole again.
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
    /// A tick for one room now, outside the timer (the room's sale changed: after its draw every pre-queue session gets its
    /// place at once, not at the next tick); a failure is logged, the next tick retries.
    /// </summary>
    public async Task PushSoonAsync(RoomContext room)
    {
        try
        {
            await PushAsync(room);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.PushFailed(logger, room.Name, ex);
        }
    }

    /// <summary>
    /// One tick for one room; returns the Redis round trips it took: the room's state and the queue's front (two), plus
    /// a status call and a delivery call only when some ticket here passed the front without its notice.
    /// </summary>
    internal async Task<int> PushAsync(RoomContext room)
    {
        await room.PushGate.WaitAsync();
        try
        {
            return await TickAsync(room);
        }
        finally
        {
            room.PushGate.Release();
        }
    }

    private async Task<int> TickAsync(RoomContext room)
    {
        var started = timeProvider.GetTimestamp();
        var now = timeProvider.GetUtcNow();
        var snapshot = await room.Switch.ReadAsync(now);
        room.Snapshot = snapshot;
        var probe = room.Probe;
        var update = await room.Positions.UpdateAsync(probe?.Ticket);
        var roundTrips = 1 + update.Reads;
        var book = room.Positions.Book;
        if (probe is { } p && !Agrees(book.PlaceOf(p.Sequence), update.ProbePlace))
        {
            metrics.PositionMismatch(room.Name);
            Log.PositionMismatch(logger, room.Name, p.Ticket, book.PlaceOf(p.Sequence), update.ProbePlace);
            book.Lose();
            roundTrips += (await room.Positions.UpdateAsync()).Reads;
        }

        foreach (var departure in update.Departures)
        {
            foreach (var session in room.SessionsOf(departure.Ticket))
            {
                closer.Gone(session, departure.Reason.ToWireReason());
            }
        }

        var ask = new List<string>();
        var pending = new List<string>();
        var tickets = 0;
        (string, long)? nextProbe = null;
        foreach (var (ticket, sessions) in room.Entries)
        {
            tickets++;
            var sequence = SequenceOf(sessions);
            if (sequence > 0 || sequence == HubSession.InPrequeue)
            {
                TellSoldOut(room, sessions, snapshot.SoldOut);
            }

            if (sequence == HubSession.InPrequeue)
            {
                pending.Add(ticket);
                continue;
            }

            if (sequence < 0)
            {
                continue; // not greeted yet: its greeting sends the first place
            }

            var place = book.PlaceOf(sequence);
            if (place > 0)
            {
                var message = HubMessages.Position(place, snapshot.EtaSeconds(place, now, room.Options), snapshot.Switch.QueueOn, sessions[0].Receipt);
                foreach (var session in sessions)
                {
                    Send(room, session, message, "position");
                }

                if (nextProbe is not { } last || sequence > last.Item2)
                {
                    nextProbe = (ticket, sequence); // the last waiting here: every departure ahead counts in its place
                }
            }
            else if (sessions.Any(s => !s.IsClosing && (place < 0 || !s.AdmittedSent)))
            {
                ask.Add(ticket);
            }
        }

        room.Probe = nextProbe;
        if (pending.Count > 0)
        {
            roundTrips += await PrequeueAsync(room, pending, snapshot);
        }

        if (ask.Count > 0)
        {
            roundTrips += await ResolveAsync(room, ask, snapshot, now);
        }

        metrics.Tick(room.Name, timeProvider.GetElapsedTime(started), roundTrips, tickets);
        return roundTrips;
    }

    /// <summary>
    /// While the room is sold out, each waiting connection is told once (it keeps its place); once seats come back, each
    /// one told is told that too (<c>restocked</c>) and the mark is cleared, so a next sold-out spell is told again. The
    /// tick's place message follows as usual.
    /// </summary>
    private void TellSoldOut(RoomContext room, System.Collections.Immutable.ImmutableArray<HubSession> sessions, bool soldOut)
    {
        foreach (var session in sessions)
        {
            if (!soldOut)
            {
                if (session.ClearSoldOut() && !session.IsClosing)
                {
                    Send(room, session, HubMessages.Restocked, "restocked");
                }
            }
            else if (!session.IsClosing && session.TryMarkSoldOut())
            {
                Send(room, session, HubMessages.SoldOut, "soldout");
            }
        }
    }

    /// <summary>Both say the ticket waits at the same place, or both that it does not wait.</summary>
    private static bool Agrees(long computed, long probePlace) => computed == probePlace || (computed <= 0 && probePlace == 0);

    /// <summary>
    /// The sequence the ticket's connections were greeted with; <see cref="HubSession.InPrequeue"/> when they wait in a
    /// sale's pre-queue, <see cref="HubSession.NotGreeted"/> when none has been greeted yet.
    /// </summary>
    private static long SequenceOf(System.Collections.Immutable.ImmutableArray<HubSession> sessions)
    {
        var found = HubSession.NotGreeted;
        foreach (var session in sessions)
        {
            var sequence = session.Sequence;
            if (sequence >= 0)
            {
                return sequence;
            }

            found = Math.Min(found, sequence);
        }

        return found;
    }

    /// <summary>
    /// The pre-queue's sessions: until the sale is drawn, each one not yet told the sale's start (its greeting found none)
    /// is told it waits for it (its receipt and the start time, no Redis call; a million in a pre-queue are not sent the
    /// same message every tick); once drawn, all of them are placed in one status call per chunk (the drawn place's ticket,
    /// sequence and receipt) and sent their place at once. Returns the round trips it took.
    /// </summary>
    private async Task<int> PrequeueAsync(RoomContext room, List<string> pending, RoomSnapshot snapshot)
    {
        if (snapshot.Sale is not { DrawnAt: not null })
        {
            var startsAt = snapshot.Sale?.StartsAt;
            foreach (var ticket in pending)
            {
                foreach (var session in room.SessionsOf(ticket))
                {
                    if (session.Receipt is { } receipt && startsAt is { } start && session.TryMarkStartTold(start))
                    {
                        Send(room, session, HubMessages.Prequeue(receipt, start), "prequeue");
                    }
                }
            }

            return 0;
        }

        var statuses = await room.Queue.GetStatusesAsync(pending);
        var now = timeProvider.GetUtcNow();
        var admitted = new List<string>();
        for (var i = 0; i < pending.Count; i++)
        {
            var status = statuses[i];
            var sessions = room.SessionsOf(pending[i]);
            if (status.Placed is { } placed)
            {
                room.Place(pending[i], placed, sessions);
            }

            switch (status.State)
            {
                case TicketState.Prequeue:
                    break; // drawn by the snapshot, not yet by Redis (a notice overtook the read): the next tick places it
                case TicketState.Waiting:
                    var message = HubMessages.Position(status.Position, snapshot.EtaSeconds(status.Position, now, room.Options), snapshot.Switch.QueueOn, status.Receipt);
                    foreach (var session in sessions)
                    {
                        session.Receipt = status.Receipt;
                        session.Sequence = status.Sequence;
                        Send(room, session, message, "position");
                    }

                    break;
                case TicketState.Active:
                    foreach (var session in sessions)
                    {
                        session.Sequence = 0;
                    }

                    admitted.Add(status.Placed ?? pending[i]);
                    break;
                default:
                    foreach (var session in sessions)
                    {
                        closer.Gone(session, status.Reason.ToWireReason());
                    }

                    break;
            }
        }

        var roundTrips = (pending.Count + 999) / 1000;
        if (admitted.Count > 0)
        {
            await notifier.DeliverAsync(room, admitted, DeliveryCause.PushTick);
            roundTrips++;
        }

        return roundTrips;
    }

    /// <summary>
    /// Tickets that no longer wait by the book but whose connections were not told why: asked about in one status call;
    /// admitted ones get their notice, gone ones are told so. Returns the round trips it took.
    /// </summary>
    private async Task<int> ResolveAsync(RoomContext room, List<string> tickets, RoomSnapshot snapshot, DateTimeOffset now)
    {
        var statuses = await room.Queue.GetStatusesAsync(tickets, chunkSize: Math.Max(tickets.Count, 1));
        var admitted = new List<string>();
        for (var i = 0; i < tickets.Count; i++)
        {
            var status = statuses[i];
            switch (status.State)
            {
                case TicketState.Waiting:
                    // Greeted before it joined anew (a new place after a lost one): its sequence is the new one now.
                    foreach (var session in room.SessionsOf(tickets[i]))
                    {
                        session.Sequence = status.Sequence;
                        Send(room, session, HubMessages.Position(status.Position, snapshot.EtaSeconds(status.Position, now, room.Options), snapshot.Switch.QueueOn, status.Receipt), "position");
                    }

                    break;
                case TicketState.Active:
                    admitted.Add(status.Placed ?? tickets[i]);
                    break;
                default:
                    foreach (var session in room.SessionsOf(tickets[i]))
                    {
                        closer.Gone(session, status.Reason.ToWireReason());
                    }

                    break;
            }
        }

        if (admitted.Count == 0)
        {
            return 1;
        }

        await notifier.DeliverAsync(room, admitted, DeliveryCause.PushTick);
        return 2;
    }

    private void Send(RoomContext room, HubSession session, ReadOnlyMemory<byte> message, string type)
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

        [LoggerMessage(EventIds.PositionMismatch, LogLevel.Error, "Room {Room}: ticket {Ticket} computed at place {Computed}, Redis says {Actual}; reading the queue's departures whole again")]
        public static partial void PositionMismatch(ILogger logger, string room, string ticket, long computed, long actual);
    }
}

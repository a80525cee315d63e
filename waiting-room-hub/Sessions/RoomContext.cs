using System.Collections.Concurrent;
using System.Collections.Immutable;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>One room as this hub sees it: its stores, its local sessions by ticket, and the heartbeats to write.</summary>
internal sealed class RoomContext(string name, RoomOptions options, QueueStore queue, SwitchStore switchStore)
{
    private readonly ConcurrentDictionary<string, ImmutableArray<HubSession>> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _heartbeats = new(StringComparer.Ordinal);

    // Drawn ticket -> the pre-queue ticket its local connections are kept under (a sale's draw placed them).
    private readonly ConcurrentDictionary<string, string> _placed = new(StringComparer.Ordinal);
    private RoomSnapshot? _snapshot;
    private int _count;

    public string Name { get; } = name;

    public RoomOptions Options { get; } = options;

    public QueueStore Queue { get; } = queue;

    public SwitchStore Switch { get; } = switchStore;

    /// <summary>Every waiting place, computed here from the queue's front and departures (kept by the push tick).</summary>
    public PositionTracker Positions { get; } = new(queue);

    /// <summary>One push tick at a time per room: the tick owns <see cref="Positions"/>.</summary>
    public SemaphoreSlim PushGate { get; } = new(1, 1);

    /// <summary>A local ticket that waited at the last tick, and its sequence: the next tick checks its computed place against Redis's.</summary>
    public (string Ticket, long Sequence)? Probe { get; set; }

    /// <summary>The room's shared state as last read (each push tick); null before the first read.</summary>
    public RoomSnapshot? Snapshot
    {
        get => Volatile.Read(ref _snapshot);
        set => Volatile.Write(ref _snapshot, value);
    }

    /// <summary>Connections open in this hub for this room.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The tickets with at least one local connection.</summary>
    public ICollection<string> Tickets => _sessions.Keys;

    public void Add(HubSession session)
    {
        _sessions.AddOrUpdate(session.Ticket, static (_, s) => [s], static (_, list, s) => list.Add(s), session);
        Interlocked.Increment(ref _count);
    }

    public void Remove(HubSession session)
    {
        while (_sessions.TryGetValue(session.Ticket, out var list))
        {
            var without = list.Remove(session);
            if (without.Length == list.Length)
            {
                return;
            }

            var done = without.IsEmpty
                ? _sessions.TryRemove(new KeyValuePair<string, ImmutableArray<HubSession>>(session.Ticket, list))
                : _sessions.TryUpdate(session.Ticket, without, list);
            if (done)
            {
                Interlocked.Decrement(ref _count);
                if (without.IsEmpty && session.PlacedTicket is { } placed)
                {
                    _placed.TryRemove(new KeyValuePair<string, string>(placed, session.Ticket));
                }

                return;
            }
        }
    }

    /// <summary>Each ticket with local connections, and those connections (a moment's view).</summary>
    public IEnumerable<KeyValuePair<string, ImmutableArray<HubSession>>> Entries => _sessions;

    /// <summary>Every local session of this room (a moment's view; the dictionary is walked without its locks or a copy).</summary>
    public IEnumerable<HubSession> Sessions
    {
        get
        {
            foreach (var pair in _sessions)
            {
                foreach (var session in pair.Value)
                {
                    yield return session;
                }
            }
        }
    }

    /// <summary>The ticket's sessions beyond its newest <paramref name="max"/> that are not closing yet, newest of them first.</summary>
    public List<HubSession> Surplus(string ticket, int max)
    {
        var surplus = new List<HubSession>();
        var sessions = SessionsOf(ticket);
        var open = 0;
        for (var i = sessions.Length - 1; i >= 0; i--)
        {
            if (!sessions[i].IsClosing && ++open > max)
            {
                surplus.Add(sessions[i]);
            }
        }

        return surplus;
    }

    /// <summary>
    /// The connections of <paramref name="ticket"/>: kept under it, or, for a drawn place, under the pre-queue ticket the
    /// draw placed there (<see cref="Place"/>), as admissions and departures name the drawn place's ticket.
    /// </summary>
    public ImmutableArray<HubSession> SessionsOf(string ticket) =>
        _sessions.TryGetValue(ticket, out var list) ? list
        : _placed.TryGetValue(ticket, out var pending) && _sessions.TryGetValue(pending, out list) ? list
        : [];

    /// <summary>
    /// Records that the draw placed pre-queue ticket <paramref name="pending"/> at <paramref name="placed"/>: its connections
    /// answer to the drawn place's ticket from now on.
    /// </summary>
    public void Place(string pending, string placed, ImmutableArray<HubSession> sessions)
    {
        foreach (var session in sessions)
        {
            session.PlacedTicket = placed;
        }

        _placed[placed] = pending;
    }

    /// <summary>Notes a heartbeat; written to Redis with the others at the next flush.</summary>
    public void Heartbeat(string ticket) => _heartbeats.TryAdd(ticket, 0);

    /// <summary>Takes the tickets that sent heartbeats since the last call.</summary>
    public List<string> DrainHeartbeats()
    {
        var tickets = new List<string>(_heartbeats.Count);
        foreach (var ticket in _heartbeats.Keys)
        {
            if (_heartbeats.TryRemove(ticket, out _))
            {
                tickets.Add(ticket);
            }
        }

        return tickets;
    }
}

using System.Collections.Concurrent;

namespace YarpWaitingRoom.Yarp.KeepAlive;

/// <summary>
/// One room's admitted tickets that sent a keep-alive since the last flush, each once however often it beat (several
/// tabs, a page shown again), with when it last beat: <see cref="KeepAliveFlusher"/> writes them to Redis in one call,
/// each recorded as seen when it beat, not when the flush reached Redis (a closed tab is given up <c>AbandonAfter</c>
/// after its last beat, and a slow flush never dates a live page too early). No lock and no Redis call per request;
/// only tickets of genuine admission cookies get here, so the set is bounded by the room's sessions.
/// </summary>
internal sealed class KeepAliveBeats
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tickets = new(StringComparer.Ordinal);

    /// <summary>Tickets waiting for the next flush.</summary>
    public int Count => _tickets.Count;

    /// <summary>Notes that the admission of <paramref name="ticket"/> is alive at <paramref name="at"/> (the latest beat wins).</summary>
    public void Note(string ticket, DateTimeOffset at) =>
        _tickets.AddOrUpdate(ticket, at, (_, before) => at > before ? at : before);

    /// <summary>Takes the tickets noted since the last call, each with its latest beat (they are then the caller's to write).</summary>
    public List<(string Ticket, DateTimeOffset At)> Drain()
    {
        var beats = new List<(string Ticket, DateTimeOffset At)>(_tickets.Count);
        foreach (var ticket in _tickets.Keys)
        {
            if (_tickets.TryRemove(ticket, out var at))
            {
                beats.Add((ticket, at));
            }
        }

        return beats;
    }
}

using System.Collections.Concurrent;

namespace YarpWaitingRoom.Yarp.KeepAlive;

/// <summary>
/// One room's admitted tickets that sent a keep-alive since the last flush, each once however often it beat (several
/// tabs, a page shown again), with when it first beat in this window: <see cref="KeepAliveFlusher"/> writes them to Redis
/// in one touch, dated by the earliest of those times, so no ticket is ever recorded as seen later than it really was
/// (a visitor who closes the tab is given up within <c>AbandonAfter</c> and one reaper period of the last beat, not a
/// flush later). No lock and no Redis call per request; only tickets of genuine admission cookies get here, so the set
/// is bounded by the room's sessions.
/// </summary>
internal sealed class KeepAliveBeats
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tickets = new(StringComparer.Ordinal);

    /// <summary>Tickets waiting for the next flush.</summary>
    public int Count => _tickets.Count;

    /// <summary>Notes that the admission of <paramref name="ticket"/> is alive at <paramref name="at"/>.</summary>
    public void Note(string ticket, DateTimeOffset at) => _tickets.TryAdd(ticket, at);

    /// <summary>
    /// Takes the tickets noted since the last call (they are then the caller's to write) and the earliest time any of them
    /// was noted: each of them was alive at that time or later.
    /// </summary>
    public (List<string> Tickets, DateTimeOffset Since) Drain()
    {
        var tickets = new List<string>(_tickets.Count);
        var since = DateTimeOffset.MaxValue;
        foreach (var ticket in _tickets.Keys)
        {
            if (_tickets.TryRemove(ticket, out var at))
            {
                tickets.Add(ticket);
                since = at < since ? at : since;
            }
        }

        return (tickets, since);
    }
}

using System.Collections.Concurrent;

namespace YarpWaitingRoom.Yarp.KeepAlive;

/// <summary>
/// One room's admitted tickets that sent a keep-alive since the last flush, each once however often it beat (several
/// tabs, a page shown again): <see cref="KeepAliveFlusher"/> writes them to Redis in one call every quarter second. No
/// lock and no Redis call per request; only tickets of genuine admission cookies get here, so the set is bounded by the
/// room's sessions.
/// </summary>
internal sealed class KeepAliveBeats
{
    private readonly ConcurrentDictionary<string, byte> _tickets = new(StringComparer.Ordinal);

    /// <summary>Tickets waiting for the next flush.</summary>
    public int Count => _tickets.Count;

    /// <summary>Notes that the admission of <paramref name="ticket"/> is alive.</summary>
    public void Note(string ticket) => _tickets.TryAdd(ticket, 0);

    /// <summary>Takes the tickets noted since the last call (they are then the caller's to write).</summary>
    public List<string> Drain()
    {
        var tickets = new List<string>(_tickets.Count);
        foreach (var ticket in _tickets.Keys)
        {
            if (_tickets.TryRemove(ticket, out _))
            {
                tickets.Add(ticket);
            }
        }

        return tickets;
    }
}

using System.Collections.Concurrent;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>
/// One room's admissions that ended (ended by the backend, expired, reaped while admitted) and whose cookies could still
/// be presented: the gate refuses those cookies. Fed at once by the room's channel (<see cref="Protocol.RoomNotice"/>) and,
/// so that a lost message or a restart misses nothing, by a poll of the room's revocation log once a second
/// (<see cref="RoomMonitor"/>). The gate's lookup is lock-free and allocates nothing.
/// <para>
/// An entry is kept until every cookie of its admission has expired (<see cref="QueueStore.RevokedFor"/> after the end),
/// so the set holds the admissions that ended within the last <c>SessionDuration</c> plus a minute, about 120 bytes each
/// (the ticket string and the dictionary node): e.g. 30,000 entries (5,000 sessions turning over every two minutes,
/// a ten-minute session) take about 4 MB.
/// </para>
/// </summary>
internal sealed class RevokedAdmissions(TimeSpan revokedFor)
{
    private readonly ConcurrentDictionary<string, long> _refuseUntilMs = new(StringComparer.Ordinal);
    private readonly long _revokedForMs = (long)revokedFor.TotalMilliseconds;
    private int _count;

    /// <summary>The newest end time read from the log (the next poll starts there); -1 before the first poll.</summary>
    private long _cursorMs = -1;

    /// <summary>Entries held right now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether the admission of <paramref name="ticket"/> ended: its cookie no longer admits.</summary>
    public bool Contains(string ticket) => _refuseUntilMs.ContainsKey(ticket);

    /// <summary>Records that the admission of <paramref name="ticket"/> ended at <paramref name="endedAtMs"/>.</summary>
    public void Add(string ticket, long endedAtMs)
    {
        if (_refuseUntilMs.TryAdd(ticket, endedAtMs + _revokedForMs))
        {
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>
    /// Where the next poll of the log starts: the newest end time read so far (the entries at that very time come again,
    /// so none written later with the same time is missed), or, before the first poll, the oldest end whose cookies could
    /// still be valid.
    /// </summary>
    public long PollFromMs(long nowMs) => _cursorMs >= 0 ? _cursorMs : nowMs - _revokedForMs;

    /// <summary>Takes in one poll's answer (oldest first) and moves the cursor to its newest entry.</summary>
    public void AddPolled(IReadOnlyList<RevokedAdmission> revoked, long polledFromMs)
    {
        ArgumentNullException.ThrowIfNull(revoked);
        for (var i = 0; i < revoked.Count; i++)
        {
            Add(revoked[i].Ticket, revoked[i].EndedAtMs);
        }

        _cursorMs = revoked.Count > 0 ? Math.Max(polledFromMs, revoked[^1].EndedAtMs) : polledFromMs;
    }

    /// <summary>Forgets the admissions whose cookies have all expired by <paramref name="nowMs"/>.</summary>
    public void Prune(long nowMs)
    {
        foreach (var entry in _refuseUntilMs)
        {
            if (entry.Value < nowMs && _refuseUntilMs.TryRemove(entry))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }
}

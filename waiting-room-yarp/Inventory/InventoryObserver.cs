namespace YarpWaitingRoom.Yarp.Inventory;

/// <summary>
/// The latest inventory this proxy saw in one room's responses (<c>X-WaitingRoom-Inventory</c>), not yet written to
/// Redis: each response replaces it in memory (a newer observation wins), and <see cref="InventoryFlusher"/> writes the
/// latest once a second. No lock and no Redis call per response.
/// </summary>
internal sealed class InventoryObserver
{
    private Observation? _pending;

    /// <summary>Notes that <paramref name="remaining"/> was left at <paramref name="at"/>.</summary>
    public void Observe(long remaining, DateTimeOffset at)
    {
        var next = new Observation(remaining, at);
        var current = Volatile.Read(ref _pending);
        while (current is null || current.At <= at)
        {
            var seen = Interlocked.CompareExchange(ref _pending, next, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>The latest observation since the last call, if any (it is then the caller's to write).</summary>
    public Observation? Take() => Interlocked.Exchange(ref _pending, null);

    /// <summary>What was left, and when a response said so.</summary>
    internal sealed record Observation(long Remaining, DateTimeOffset At);
}

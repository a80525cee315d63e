namespace YarpWaitingRoom.Queue;

/// <summary>
/// Every waiting visitor's place, computed where the visitors are connected (a hub) instead of asked of Redis one ZRANK
/// each. Waiting order is by sequence, and admission always takes the front, so
/// <c>place(seq) = seq − front − #{departed d : front &lt; d ≤ seq}</c>, where <c>front</c> is the lowest waiting sequence − 1
/// and <c>departed</c> the sequences of tickets that left from the middle (reaped, …) that admission has not passed yet.
/// The book holds a copy of <c>departed</c> above the front, ascending: read whole once (<see cref="StartOver"/>), then
/// kept up from the departures the room's events stream carries (<see cref="Advance"/>). The room counts its departures
/// (<see cref="QueueFront.DepartedTotal"/>); a book that read fewer (the stream is capped, a room was reset) starts over.
/// Not thread-safe: one owner (a room's push loop) reads and updates it.
/// </summary>
internal sealed class PositionBook
{
    private long[] _departed = [];
    private int _first;
    private int _count;

    /// <summary>The lowest waiting sequence − 1 at the last read.</summary>
    public long Front { get; private set; }

    /// <summary>The room's departure count the book has accounted for.</summary>
    public long DepartedTotal { get; private set; }

    /// <summary>The events stream id read up to; null until the book has started (or after it lost track): read whole next.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Departed sequences above the front that the book holds.</summary>
    public int DepartedCount => _count;

    /// <summary>Takes a whole read (<see cref="QueueFront.Departed"/>, ascending, all above its front).</summary>
    public void StartOver(QueueFront read)
    {
        ArgumentNullException.ThrowIfNull(read);
        _first = 0;
        _count = 0;
        EnsureCapacity(read.Departed.Count);
        foreach (var sequence in read.Departed)
        {
            if (sequence > read.Front && (_count == 0 || sequence > _departed[_count - 1]))
            {
                _departed[_count++] = sequence;
            }
        }

        Front = read.Front;
        DepartedTotal = read.DepartedTotal;
        LastEventId = read.LastEventId;
    }

    /// <summary>
    /// Takes the departures read since the last read. Returns false, and forgets where it was (the next read is whole),
    /// when the room counts departures the book never saw: the read cannot be trusted to be complete.
    /// </summary>
    public bool Advance(QueueFront read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var left = new List<long>();
        foreach (var departure in read.Departures)
        {
            if (departure.Sequence > 0)
            {
                left.Add(departure.Sequence);
            }
        }

        DepartedTotal += left.Count;
        LastEventId = read.LastEventId;
        if (!read.More && DepartedTotal != read.DepartedTotal)
        {
            Lose();
            return false;
        }

        Front = Math.Max(Front, read.Front);
        Prune();
        left.RemoveAll(sequence => sequence <= Front);
        left.Sort();
        Merge(left);
        return true;
    }

    /// <summary>Forgets where the book was: the next read is a whole one.</summary>
    public void Lose() => LastEventId = null;

    /// <summary>
    /// The place of the ticket with <paramref name="sequence"/>: 1-based while it waits; 0 when the front has passed it
    /// (admitted, or left before); -1 when it left from the middle.
    /// </summary>
    public long PlaceOf(long sequence)
    {
        if (sequence <= Front)
        {
            return 0;
        }

        var index = Array.BinarySearch(_departed, _first, _count, sequence);
        if (index >= 0)
        {
            return -1;
        }

        var departedAhead = ~index - _first;
        return sequence - Front - departedAhead;
    }

    /// <summary>Drops the departed sequences the front has passed.</summary>
    private void Prune()
    {
        var index = Array.BinarySearch(_departed, _first, _count, Front);
        var passed = (index >= 0 ? index + 1 : ~index) - _first;
        _first += passed;
        _count -= passed;
    }

    /// <summary>Merges ascending sequences, all above the front and none held already, into the held ones, in place.</summary>
    private void Merge(List<long> sequences)
    {
        if (sequences.Count == 0)
        {
            return;
        }

        // Compact to the start, make room, then merge from the back so nothing is overwritten before it is read.
        Array.Copy(_departed, _first, _departed, 0, _count);
        _first = 0;
        EnsureCapacity(_count + sequences.Count);
        var held = _count - 1;
        var added = sequences.Count - 1;
        for (var target = _count + sequences.Count - 1; added >= 0; target--)
        {
            _departed[target] = held >= 0 && _departed[held] > sequences[added] ? _departed[held--] : sequences[added--];
        }

        _count += sequences.Count;
    }

    private void EnsureCapacity(int capacity)
    {
        if (_departed.Length - _first >= capacity)
        {
            return;
        }

        var grown = new long[Math.Max(capacity, Math.Max(16, _departed.Length * 2))];
        Array.Copy(_departed, _first, grown, 0, _count);
        _departed = grown;
        _first = 0;
    }
}

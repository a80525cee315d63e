namespace YarpWaitingRoom.Queue;

/// <summary>
/// Keeps a room's <see cref="PositionBook"/> current from Redis: one read per update in the steady state
/// (<see cref="QueueStore.ReadFrontAsync"/>: the front and the departures since the last read), a whole read when the
/// book starts or lost track, and more reads only while a burst of events exceeds one read's limit.
/// </summary>
internal sealed class PositionTracker(QueueStore queue, int maxEventsPerRead = QueueStore.PositionEventsPerRead)
{
    /// <summary>Most reads one update makes before it settles for a whole read (a flood of events).</summary>
    private const int MaxReadsPerUpdate = 4;

    public PositionBook Book { get; } = new();

    /// <summary>
    /// Brings the book up to date. <paramref name="probeTicket"/>, when given, is checked at the moment of the last read:
    /// its ZRANK + 1 comes back as <see cref="PositionUpdate.ProbePlace"/>.
    /// </summary>
    public async Task<PositionUpdate> UpdateAsync(string? probeTicket = null)
    {
        var departures = new List<QueueDeparture>();
        var reads = 0;
        var startedOver = false;
        while (true)
        {
            var whole = Book.LastEventId is null || reads >= MaxReadsPerUpdate;
            var read = await queue.ReadFrontAsync(whole ? null : Book.LastEventId, probeTicket, maxEventsPerRead);
            reads++;
            if (whole)
            {
                Book.StartOver(read);
                return new PositionUpdate(departures, read.ProbePlace, reads, StartedOver: true);
            }

            departures.AddRange(read.Departures);
            if (!Book.Advance(read))
            {
                startedOver = true;
                continue;
            }

            if (!read.More)
            {
                return new PositionUpdate(departures, read.ProbePlace, reads, startedOver);
            }
        }
    }
}

/// <summary>What one <see cref="PositionTracker.UpdateAsync"/> found.</summary>
/// <param name="Departures">The departures the events read carried (none of those a whole read covered).</param>
/// <param name="ProbePlace">The probe ticket's ZRANK + 1 at the last read (0: not waiting, or no probe).</param>
/// <param name="Reads">Redis round trips the update took.</param>
/// <param name="StartedOver">True when the book was read whole (it started, or lost track).</param>
internal sealed record PositionUpdate(IReadOnlyList<QueueDeparture> Departures, long ProbePlace, int Reads, bool StartedOver);

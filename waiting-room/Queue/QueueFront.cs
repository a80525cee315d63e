namespace YarpWaitingRoom.Queue;

/// <summary>
/// One read of the queue's front and its departures from the middle (<see cref="QueueStore.ReadFrontAsync"/>), one
/// moment's view: what <see cref="PositionBook"/> computes places from.
/// </summary>
/// <param name="Front">The lowest waiting sequence - 1 (the newest sequence when nobody waits): every ticket at or below it has left waiting.</param>
/// <param name="DepartedTotal">Departures from the middle since the room's last reset (<see cref="Protocol.RoomStateFields.Departed"/>).</param>
/// <param name="LastEventId">The events stream id read up to: the next read goes on from it.</param>
/// <param name="More">True when the read stopped at its limit: more events may follow at once.</param>
/// <param name="ProbePlace">ZRANK + 1 of the probe ticket asked for, 0 when it is not waiting.</param>
/// <param name="Departed">Starting over: every departed sequence above <paramref name="Front"/>, ascending; else empty.</param>
/// <param name="Departures">Going on: the departures the events read carry, oldest first; else empty.</param>
internal sealed record QueueFront(
    long Front,
    long DepartedTotal,
    string LastEventId,
    bool More,
    long ProbePlace,
    IReadOnlyList<long> Departed,
    IReadOnlyList<QueueDeparture> Departures);

/// <summary>A ticket that left, as the events stream says.</summary>
/// <param name="Reason">Why (abandoned, expired, ended).</param>
/// <param name="Ticket">The ticket.</param>
/// <param name="Sequence">Its sequence when it left the waiting line from the middle; 0 when it was not waiting (an admission ended).</param>
internal readonly record struct QueueDeparture(GoneReason Reason, string Ticket, long Sequence);

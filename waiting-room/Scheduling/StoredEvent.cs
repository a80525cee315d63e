namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// A room's sale as Redis holds it: the event, its secret <see cref="Seed"/> (never shown before the draw) and public
/// <see cref="Commitment"/>, and once drawn, when, how many participants, their digest and how long the draw took.
/// </summary>
internal sealed record StoredEvent(
    ScheduledEvent Event, string Seed, string Commitment, DateTimeOffset? DrawnAt, long? Participants, string? Digest, long? DrawMs)
{
    public bool IsDrawn => DrawnAt is not null;
}

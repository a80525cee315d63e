namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Inbox row: a waiting-room stream entry that has been applied. Written in the same transaction as its effect,
/// so a redelivered entry (crash before XACK, claim by another instance) is applied once.
/// </summary>
public sealed class ProcessedEvent
{
    public required string Stream { get; set; }

    public required string EntryId { get; set; }

    public DateTimeOffset ProcessedAt { get; set; }
}

namespace YarpWaitingRoom.Reservation.Data;

public sealed class Hold
{
    public Guid Id { get; set; }

    public int SeatId { get; set; }

    public Seat? Seat { get; set; }

    public required string VisitorId { get; set; }

    public HoldStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the hold stopped being active (confirmed, released or expired).</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why it ended: one of <see cref="HoldEndReason"/>.</summary>
    public string? EndReason { get; set; }
}

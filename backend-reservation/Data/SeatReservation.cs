namespace YarpWaitingRoom.Reservation.Data;

/// <summary>A sold seat. One per seat (unique index), made from exactly one confirmed hold.</summary>
public sealed class SeatReservation
{
    public Guid Id { get; set; }

    public int SeatId { get; set; }

    public Guid HoldId { get; set; }

    public required string VisitorId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

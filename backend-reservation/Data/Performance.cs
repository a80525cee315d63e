namespace YarpWaitingRoom.Reservation.Data;

public sealed class Performance
{
    public int Id { get; set; }

    public int ConcertId { get; set; }

    public Concert? Concert { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public List<Seat> Seats { get; } = [];
}

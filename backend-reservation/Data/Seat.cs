namespace YarpWaitingRoom.Reservation.Data;

public sealed class Seat
{
    public int Id { get; set; }

    public int PerformanceId { get; set; }

    public Performance? Performance { get; set; }

    public required string Section { get; set; }

    public required string Row { get; set; }

    public int Number { get; set; }

    public int PriceCents { get; set; }
}

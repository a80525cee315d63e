namespace YarpWaitingRoom.Reservation.Data;

public sealed class Concert
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public required string Artist { get; set; }

    public required string Venue { get; set; }

    public List<Performance> Performances { get; } = [];
}

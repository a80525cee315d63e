namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>The <c>status</c> of a seat as listed.</summary>
public static class SeatStatus
{
    public const string Available = "available";
    public const string Held = "held";
    public const string Sold = "sold";
}

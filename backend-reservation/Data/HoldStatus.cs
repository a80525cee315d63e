namespace YarpWaitingRoom.Reservation.Data;

/// <summary>
/// Life of a hold. <see cref="Active"/> and <see cref="Confirmed"/> occupy the seat: a partial unique index
/// over those two states is what makes a second hold (and so a second booking) of a seat impossible.
/// </summary>
public enum HoldStatus : short
{
    Active = 0,
    Confirmed = 1,
    Released = 2,
    Expired = 3,
}

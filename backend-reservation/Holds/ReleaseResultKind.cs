namespace YarpWaitingRoom.Reservation.Holds;

public enum ReleaseResultKind
{
    Released,
    NotFound,
    AlreadyConfirmed,
    AlreadyEnded,
}

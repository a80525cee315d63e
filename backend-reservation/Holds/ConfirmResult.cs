using YarpWaitingRoom.Reservation.Data;

namespace YarpWaitingRoom.Reservation.Holds;

public enum ConfirmResultKind
{
    Confirmed,
    AlreadyConfirmed,
    NotFound,
    Expired,
    Released,
}

public readonly record struct ConfirmResult(ConfirmResultKind Kind, SeatReservation? Reservation = null);

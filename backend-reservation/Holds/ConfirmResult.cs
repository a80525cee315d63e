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

/// <param name="Kind">What happened.</param>
/// <param name="Reservation">The reservation, when confirmed (now or before).</param>
/// <param name="SeatId">The hold's seat; <see langword="null"/> when the hold is not the visitor's.</param>
/// <param name="OpenHolds">
/// When confirmed (now or before): the visitor's other holds still open (active, not lapsed). The visit is over, and its
/// waiting-room session ends, only once none is left: a visitor buying several seats confirms them one by one.
/// </param>
public readonly record struct ConfirmResult(ConfirmResultKind Kind, SeatReservation? Reservation = null, int? SeatId = null, int OpenHolds = 0);

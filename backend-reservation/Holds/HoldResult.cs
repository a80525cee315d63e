using YarpWaitingRoom.Reservation.Data;

namespace YarpWaitingRoom.Reservation.Holds;

public enum HoldResultKind
{
    Created,
    SeatNotFound,
    SeatTaken,
    LimitReached,
}

public readonly record struct HoldResult(HoldResultKind Kind, Hold? Hold = null);

namespace YarpWaitingRoom.Reservation.Holds;

/// <param name="Kind">What happened.</param>
/// <param name="SeatId">The hold's seat; <see langword="null"/> when the hold is not the visitor's.</param>
public readonly record struct ReleaseResult(ReleaseResultKind Kind, int? SeatId = null);

namespace YarpWaitingRoom.Reservation.Holds;

/// <summary>What <see cref="HoldService.FreeAllSeatsAsync(CancellationToken)"/> dropped.</summary>
/// <param name="Sold">Reservations dropped: seats that were sold.</param>
/// <param name="Held">Active holds dropped: seats that were held.</param>
public sealed record SeatsFreed(int Sold, int Held);

namespace YarpWaitingRoom.Reservation.Apis;

public sealed record ConcertSummary(int Id, string Name, string Artist, string Venue, IReadOnlyList<PerformanceSummary> Performances);

public sealed record PerformanceSummary(int Id, DateTimeOffset StartsAt, int Seats);

public sealed record SeatView(int Id, int PerformanceId, string Section, string Row, int Number, int PriceCents, string Status);

public sealed record HoldRequest(int? SeatId);

public sealed record HoldView(Guid Id, int SeatId, DateTimeOffset ExpiresAt);

public sealed record ReservationView(Guid Id, Guid HoldId, int SeatId, DateTimeOffset CreatedAt);

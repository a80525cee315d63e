namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// The room's active visitors as the admin API showed them <paramref name="AtMs"/> into the run, beside the seats truly left
/// then (<paramref name="Remaining"/>: the bench's own tally of the answers it got, not the room's batched copy).
/// </summary>
internal sealed record RoomSample(double AtMs, long Active, int Remaining);

namespace YarpWaitingRoom.Reservation.Inventory;

/// <summary>The seats of a performance that are neither sold nor under an unexpired hold, counted at <paramref name="ObservedAt"/>.</summary>
public readonly record struct InventoryCount(int PerformanceId, int Remaining, DateTimeOffset ObservedAt);

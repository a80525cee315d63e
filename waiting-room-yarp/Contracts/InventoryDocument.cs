namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>A room's inventory as the admin API shows it.</summary>
/// <param name="Room">The room.</param>
/// <param name="Remaining">What is left to sell; null while unknown (no admission bound, never sold out).</param>
/// <param name="ObservedAt">When it was observed (a response, an operator); null while unknown.</param>
/// <param name="SoldOut">Known, and nothing left.</param>
internal sealed record InventoryDocument(string Room, long? Remaining, DateTimeOffset? ObservedAt, bool SoldOut);

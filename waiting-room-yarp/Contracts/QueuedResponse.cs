namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>The 503 body for API clients who must wait.</summary>
/// <param name="Room">The room.</param>
/// <param name="Ticket">The signed ticket token (poll its status, open the socket with it).</param>
/// <param name="State"><c>waiting</c>, or <c>prequeue</c> while a scheduled sale's pre-queue holds everyone.</param>
/// <param name="Position">1-based place while waiting; null in the pre-queue (no position before the draw).</param>
/// <param name="EtaSeconds">Estimated wait, null when unknown.</param>
/// <param name="WaitUrl">The waiting page.</param>
/// <param name="WsUrl">The waiting socket.</param>
/// <param name="Receipt">In the pre-queue: the public id of the visitor's place in the draw (the ticket stays secret).</param>
/// <param name="StartsAt">In the pre-queue: when the sale starts and the draw gives everyone a position.</param>
/// <param name="SoldOut">The room's inventory is known and nothing is left (the place is kept, in case seats come back).</param>
internal sealed record QueuedResponse(
    string Room, string Ticket, string State, long? Position, double? EtaSeconds, string WaitUrl, string WsUrl, string? Receipt = null, DateTimeOffset? StartsAt = null, bool SoldOut = false);

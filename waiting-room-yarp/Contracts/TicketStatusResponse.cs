namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>The body of <c>GET /_wr/rooms/&lt;room&gt;/tickets/&lt;ticket&gt;</c>.</summary>
/// <param name="State"><c>prequeue</c>, <c>waiting</c>, <c>active</c> or <c>gone</c>.</param>
/// <param name="Position">1-based place while waiting, 0 when active, null in the pre-queue and when gone.</param>
/// <param name="EtaSeconds">Estimated wait, null when unknown.</param>
/// <param name="QueueOn">Whether the room's queue is on.</param>
/// <param name="EnterUrl">The one-time entry link, once active.</param>
/// <param name="Reason">When gone: <c>expired</c>, <c>abandoned</c>, <c>ended</c> or <c>left</c> (see <see cref="Queue.GoneReasonExtensions"/>).</param>
/// <param name="Receipt">The public id of the visitor's place in a scheduled sale's draw: in the pre-queue, and once drawn.</param>
/// <param name="StartsAt">While a scheduled sale is not drawn: when it starts.</param>
/// <param name="SoldOut">The room's inventory is known and nothing is left (the place is kept, in case seats come back).</param>
internal sealed record TicketStatusResponse(
    string State, long? Position, double? EtaSeconds, bool QueueOn, string? EnterUrl, string? Reason = null, string? Receipt = null, DateTimeOffset? StartsAt = null, bool SoldOut = false);

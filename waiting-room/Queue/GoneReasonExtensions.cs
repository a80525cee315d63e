namespace YarpWaitingRoom.Queue;

/// <summary>The words a visitor's page is told for a <see cref="GoneReason"/> (<c>{"type":"gone","reason":…}</c>, <c>reason</c> of the ticket status).</summary>
internal static class GoneReasonExtensions
{
    /// <summary>
    /// <c>expired</c>, <c>abandoned</c>, <c>ended</c> or <c>left</c>. A departure the room has no record of (too long ago, or an
    /// operator emptied the room) reads <c>expired</c>: the ticket no longer holds anything, and joining again is the answer.
    /// </summary>
    public static string ToWireReason(this GoneReason reason) => reason switch
    {
        GoneReason.Abandoned => "abandoned",
        GoneReason.Ended => "ended",
        GoneReason.Left => "left",
        _ => "expired",
    };
}

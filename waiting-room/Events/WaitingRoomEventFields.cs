namespace YarpWaitingRoom.Events;

/// <summary>Field names of a room's event stream entries.</summary>
internal static class WaitingRoomEventFields
{
    /// <summary>One of <see cref="WaitingRoomEventType"/>.</summary>
    public const string Type = "type";

    /// <summary>The visitor id the entry concerns (absent for <c>switched</c>).</summary>
    public const string Visitor = "visitor";

    /// <summary>The ticket id the entry concerns (absent for <c>switched</c>).</summary>
    public const string Ticket = "ticket";

    /// <summary>When it happened, milliseconds since the Unix epoch.</summary>
    public const string At = "at";

    /// <summary>Free text: why (switch reason, reap cause).</summary>
    public const string Reason = "reason";

    /// <summary>
    /// The ticket's sequence, on a departure of a ticket that was waiting (it left from the middle of the queue): what
    /// a hub needs to keep computing places (<see cref="Queue.PositionBook"/>).
    /// </summary>
    public const string Sequence = "seq";

    /// <summary>Who acted, on an <see cref="WaitingRoomEventType.Operator"/> entry: the operator's name.</summary>
    public const string Operator = "operator";

    /// <summary>What the operator did (<c>mode</c>, <c>max-active</c>, ...), on an <see cref="WaitingRoomEventType.Operator"/> entry.</summary>
    public const string Action = "action";

    /// <summary>The action's value in words (<c>Paused</c>, <c>5000 → 2000</c>), on an <see cref="WaitingRoomEventType.Operator"/> entry.</summary>
    public const string Detail = "detail";
}

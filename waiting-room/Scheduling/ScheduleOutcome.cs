namespace YarpWaitingRoom.Scheduling;

/// <summary>What scheduling or cancelling a room's sale did.</summary>
internal enum ScheduleOutcome
{
    /// <summary>The event is stored (new, or replacing one whose pre-queue had not opened).</summary>
    Scheduled,

    /// <summary>The event was removed.</summary>
    Cancelled,

    /// <summary>There was no event to cancel.</summary>
    NotFound,

    /// <summary>Refused: the current event's pre-queue has opened, so it is fixed (409).</summary>
    Conflict,
}

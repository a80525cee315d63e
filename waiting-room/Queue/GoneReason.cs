namespace YarpWaitingRoom.Queue;

/// <summary>Why a ticket no longer holds a place, as the room recorded it when the ticket left.</summary>
internal enum GoneReason
{
    /// <summary>Not recorded: the ticket never existed, or left longer ago than <see cref="QueueStore.GoneRetention"/>.</summary>
    Unknown = 0,

    /// <summary>Admitted, but the admission was not used within its claim window (delivered or not): join again.</summary>
    Expired,

    /// <summary>Not seen for <c>AbandonAfter</c> (the waiting page was closed or offline): the place was given up.</summary>
    Abandoned,

    /// <summary>The session was ended on purpose (purchase done).</summary>
    Ended,

    /// <summary>The visitor gave up the place on purpose (the waiting page's "leave", <c>POST …/leave</c>).</summary>
    Left,
}

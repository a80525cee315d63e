namespace YarpWaitingRoom.Queue;

/// <summary>Where a ticket stands. The numeric values are what the touch script returns.</summary>
internal enum TicketState
{
    /// <summary>Neither waiting nor active: reaped, expired, ended, or never existed.</summary>
    Gone = 0,

    Waiting = 1,

    Active = 2,

    /// <summary>In a scheduled sale's pre-queue (frozen or not): no position until the draw.</summary>
    Prequeue = 3,
}

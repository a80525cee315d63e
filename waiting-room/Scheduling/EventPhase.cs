namespace YarpWaitingRoom.Scheduling;

/// <summary>Where a scheduled sale stands (the public <c>state</c> of its document, lowercase).</summary>
internal enum EventPhase
{
    /// <summary>Before the pre-queue opens: the room behaves as without an event.</summary>
    Scheduled,

    /// <summary>The pre-queue is open: every visitor is held, with a receipt and no position.</summary>
    Prequeue,

    /// <summary>The start has passed and the participants were ordered; admission goes from the front.</summary>
    Drawn,
}

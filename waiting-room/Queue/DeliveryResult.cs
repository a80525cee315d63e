namespace YarpWaitingRoom.Queue;

/// <summary>What <see cref="QueueStore.DeliverAsync"/> found for one ticket. The numeric values are the script's.</summary>
internal enum DeliveryResult
{
    /// <summary>Not admitted (still waiting, or gone): there is nothing to deliver.</summary>
    NotAdmitted = 0,

    /// <summary>Delivered now, for the first time: the caller sends the notice (and the claim window restarted).</summary>
    Delivered = 1,

    /// <summary>Someone (another hub, a poll) delivered it before.</summary>
    DeliveredBefore = 2,

    /// <summary>The visitor entered already (the one-time code was used): nothing is left to deliver.</summary>
    Entered = 3,
}

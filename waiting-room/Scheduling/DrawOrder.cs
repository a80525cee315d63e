namespace YarpWaitingRoom.Scheduling;

/// <summary>How a scheduled sale orders the visitors who arrived in its pre-queue.</summary>
internal enum DrawOrder
{
    /// <summary>A verifiable draw at the start (<see cref="LotteryDraw"/>): arriving early gives no advantage.</summary>
    Lottery,

    /// <summary>No draw: arrival order.</summary>
    Fifo,
}

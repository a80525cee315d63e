namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>What an admitted visitor of the sell-out rehearsal does, by the order it was admitted in.</summary>
internal enum SelloutRole
{
    /// <summary>Not admitted (still waiting at the end), or the journey failed before admission.</summary>
    Waiting,

    /// <summary>Holds its seats and confirms them all.</summary>
    Buyer,

    /// <summary>Holds its seats without confirming, and releases them when told (the seats that come back).</summary>
    HoldBack,

    /// <summary>Admitted when no seat was left for it: leaves without entering (its admission lapses after the claim window).</summary>
    Leaver,
}

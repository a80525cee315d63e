namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>How one visitor's journey ended.</summary>
internal enum JourneyOutcome
{
    /// <summary>Held a seat and confirmed it.</summary>
    Purchased,

    /// <summary>Still waiting when the tool's maximum wait ran out.</summary>
    GaveUp,

    /// <summary>The hub said the place is gone (expired, abandoned, revoked).</summary>
    Gone,

    /// <summary>No seat was available.</summary>
    SoldOut,

    /// <summary>Every seat tried was taken by someone else first.</summary>
    Conflicts,

    /// <summary>An unexpected answer or failure; the error table says which.</summary>
    Error,

    /// <summary>The run was cancelled (Ctrl-C) while this visitor was on its way.</summary>
    Cancelled,
}

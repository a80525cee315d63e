namespace YarpWaitingRoom.Options;

/// <summary>What the gate does when Redis cannot be reached.</summary>
public enum FailurePolicy
{
    /// <summary>Let requests through: availability over protection.</summary>
    Open,

    /// <summary>Answer 503 with Retry-After: protection over availability.</summary>
    Closed,
}

namespace YarpWaitingRoom.Events;

/// <summary>
/// The <c>type</c> field of an entry in a room's <c>{wr:&lt;room&gt;}:events</c> stream.
/// The values are the wire strings, lower case.
/// </summary>
internal static class WaitingRoomEventType
{
    /// <summary>A waiting visitor was moved to the active set.</summary>
    public const string Admitted = "admitted";

    /// <summary>A visitor was not seen for <c>AbandonAfter</c> and lost their place.</summary>
    public const string Abandoned = "abandoned";

    /// <summary>An active session ran past its expiry.</summary>
    public const string Expired = "expired";

    /// <summary>An active session was ended on purpose (purchase done, backend command).</summary>
    public const string Ended = "ended";

    /// <summary>A waiting visitor (or a pre-queue participant) gave up the place on purpose (field reason: waiting, prequeue).</summary>
    public const string Left = "left";

    /// <summary>The queue switch changed state.</summary>
    public const string Switched = "switched";

    /// <summary>A scheduled sale was drawn: its participants hold their drawn places (fields participants, firstSeq, digest, at).</summary>
    public const string Drawn = "drawn";

    /// <summary>An operator acted on the room (fields operator, action, detail, at): the audit trail.</summary>
    public const string Operator = "operator";

    /// <summary>True for the event types after which a visitor no longer holds a place.</summary>
    public static bool EndsVisit(string? type) =>
        type is Abandoned or Expired or Ended or Left;
}

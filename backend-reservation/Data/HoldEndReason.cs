using YarpWaitingRoom.Events;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>Values of <see cref="Hold.EndReason"/>; also the <c>reason</c> label of the released-holds metric.</summary>
public static class HoldEndReason
{
    public const string Confirmed = "confirmed";

    /// <summary>The visitor let the seat go (DELETE /api/holds/{id}).</summary>
    public const string Visitor = "visitor";

    /// <summary>The hold ran past its expiry.</summary>
    public const string Expired = "expired";

    /// <summary>The waiting room reported the visitor gone (abandoned).</summary>
    public const string Abandoned = WaitingRoomEventType.Abandoned;

    /// <summary>The waiting room reported the visitor's session expired.</summary>
    public const string SessionExpired = "session-expired";

    /// <summary>The waiting room reported the visitor's session ended.</summary>
    public const string SessionEnded = "session-ended";
}

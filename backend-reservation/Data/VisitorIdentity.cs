namespace YarpWaitingRoom.Reservation.Data;

/// <summary>Rules for the visitor id that the waiting-room proxy passes in <c>X-WaitingRoom-Visitor</c>.</summary>
public static class VisitorIdentity
{
    public const string HeaderName = "X-WaitingRoom-Visitor";

    public const int MaxLength = 128;

    /// <summary>Printable ASCII without spaces or separators that could break a log line or a key.</summary>
    public static bool IsValid(string? visitorId)
    {
        if (string.IsNullOrEmpty(visitorId) || visitorId.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in visitorId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}

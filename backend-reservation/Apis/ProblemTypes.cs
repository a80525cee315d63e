namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>
/// The <c>type</c> of every problem this API answers with; stable, so clients may switch on them. They share the
/// waiting room's <see cref="Protocol.ProblemTypes.Prefix"/>.
/// </summary>
public static class ProblemTypes
{
    private const string Prefix = Protocol.ProblemTypes.Prefix;

    public const string VisitorMissing = Prefix + "visitor-missing";
    public const string VisitorMalformed = Prefix + "visitor-malformed";
    public const string ConcertNotFound = Prefix + "concert-not-found";
    public const string SeatNotFound = Prefix + "seat-not-found";
    public const string SeatTaken = Prefix + "seat-taken";
    public const string HoldLimitReached = Prefix + "hold-limit-reached";
    public const string HoldNotFound = Prefix + "hold-not-found";
    public const string HoldExpired = Prefix + "hold-expired";
    public const string HoldReleased = Prefix + "hold-released";
    public const string HoldConfirmed = Prefix + "hold-confirmed";
    public const string InvalidRequest = Prefix + "invalid-request";
    public const string DatabaseUnavailable = Prefix + "database-unavailable";
    public const string AdminKey = Protocol.ProblemTypes.AdminKey;
}

namespace YarpWaitingRoom.Protocol;

/// <summary>
/// The <c>type</c> of every problem (RFC 9457) the proxies and hubs answer with: stable, so clients may switch on them.
/// The reservation backend's own types share <see cref="Prefix"/>.
/// </summary>
internal static class ProblemTypes
{
    public const string Prefix = "urn:yarp-waiting-room:problem:";

    public const string RoomNotFound = Prefix + "room-not-found";
    public const string InvalidTicket = Prefix + "invalid-ticket";
    public const string InvalidCode = Prefix + "invalid-code";
    public const string ForeignCode = Prefix + "foreign-code";
    public const string AdmissionGone = Prefix + "admission-gone";
    public const string Busy = Prefix + "busy";
    public const string Unavailable = Prefix + "unavailable";
    public const string RateLimited = Prefix + "rate-limited";
    public const string InvalidHeader = Prefix + "invalid-header";
    public const string AdminKey = Prefix + "admin-key";
    public const string InvalidMode = Prefix + "invalid-mode";
    public const string WebSocketRequired = Prefix + "websocket-required";
    public const string HubDraining = Prefix + "hub-draining";
    public const string OriginNotAllowed = Prefix + "origin-not-allowed";
    public const string TooManySockets = Prefix + "too-many-sockets";
    public const string InvalidEvent = Prefix + "invalid-event";
    public const string EventNotFound = Prefix + "event-not-found";
    public const string EventFixed = Prefix + "event-fixed";
    public const string EventNotDrawn = Prefix + "event-not-drawn";
    public const string InvalidInventory = Prefix + "invalid-inventory";
    public const string SoldOut = Prefix + "sold-out";
    public const string NetworkCap = Prefix + "network-cap";
    public const string ForeignTicket = Prefix + "foreign-ticket";
    public const string CrossSite = Prefix + "cross-site";
    public const string NoPlace = Prefix + "no-place";
    public const string BeingDrawn = Prefix + "being-drawn";
    public const string NoAdmission = Prefix + "no-admission";
    public const string AdmissionEnded = Prefix + "admission-ended";
    public const string InvalidChallenge = Prefix + "invalid-challenge";
    public const string InvalidMaxActive = Prefix + "invalid-max-active";
    public const string InvalidNetworkCap = Prefix + "invalid-network-cap";
    public const string ChallengeRequired = Prefix + "challenge-required";
    public const string InvalidProof = Prefix + "invalid-proof";
    public const string ForeignProof = Prefix + "foreign-proof";
    public const string ProofReplayed = Prefix + "proof-replayed";
    public const string InvitationRequired = Prefix + "invitation-required";
    public const string InvalidInvitation = Prefix + "invalid-invitation";
    public const string InvitationExpired = Prefix + "invitation-expired";
    public const string ForeignInvitation = Prefix + "foreign-invitation";

    /// <summary>A console session cookie that is malformed, forged, expired, ended (signed out) or of a key that changed.</summary>
    public const string AdminSession = Prefix + "admin-session";

    /// <summary>A state-changing console call without the session's CSRF token (or from another site).</summary>
    public const string Csrf = Prefix + "csrf";
}

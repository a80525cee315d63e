namespace YarpWaitingRoom.Invitations;

/// <summary>
/// The outcome of checking an invitation key (<see cref="InvitationKeyVerifier"/>); everything but <see cref="Valid"/> is
/// a refusal with its reason. The checks run in the order listed, so a key that is not genuine never reaches
/// <see cref="Expired"/>.
/// </summary>
internal enum InvitationKeyStatus
{
    /// <summary>Genuine, for this room, not expired: the member id comes with it.</summary>
    Valid,

    /// <summary>No key at all (null or empty).</summary>
    Missing,

    /// <summary>
    /// Of a version this proxy does not read (the first field is <c>v</c> and 1-3 digits, not <c>v1</c>): a ticket site
    /// ahead of the proxies. Read first, before the length, as another version may be longer.
    /// </summary>
    UnsupportedVersion,

    /// <summary>Not of the key's shape: too long, wrong field count, a field outside its rule, not ASCII.</summary>
    Malformed,

    /// <summary>
    /// Names another room. Read from the key's room field before the MAC is checked (a genuine key of another room could
    /// never pass this room's secrets, so after the MAC the case would never show): it grants nothing, it only tells a
    /// member who pasted the key of another sale what went wrong.
    /// </summary>
    WrongRoom,

    /// <summary>The MAC matches none of the room's secrets: forged, tampered, or signed with a retired secret.</summary>
    BadSignature,

    /// <summary>Genuine but past its expiry.</summary>
    Expired,
}

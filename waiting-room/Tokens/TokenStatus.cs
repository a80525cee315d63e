namespace YarpWaitingRoom.Tokens;

/// <summary>The outcome of reading a token; everything but <see cref="Valid"/> is a refusal with its reason.</summary>
internal enum TokenStatus
{
    Valid,

    /// <summary>Not of the token's shape (bad base64, wrong field count, too long…).</summary>
    Malformed,

    /// <summary>Signed with a key id this deployment does not know (retired, or forged).</summary>
    UnknownKey,

    /// <summary>The signature does not match: tampered or forged.</summary>
    BadSignature,

    Expired,

    /// <summary>A genuine token of another kind (e.g. a ticket offered as a cookie).</summary>
    WrongKind,

    /// <summary>A genuine token for another room.</summary>
    WrongRoom,

    /// <summary>A genuine token of another visitor, or one bound to its visitor presented without proof of who is asking.</summary>
    WrongVisitor,
}

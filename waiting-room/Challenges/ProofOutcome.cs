namespace YarpWaitingRoom.Challenges;

/// <summary>
/// What a proof of work (<c>X-WaitingRoom-Proof</c>) came to. Everything but <see cref="Valid"/> is a refusal with its
/// reason, in the order the checks run: a proof refused for one reason was checked for none after it.
/// </summary>
internal enum ProofOutcome
{
    /// <summary>Genuine, for this room and visitor, in time, enough work (and, from the replay store, never used before).</summary>
    Valid,

    /// <summary>Not of the proof's shape: empty, too long, a character outside its alphabet, bad base64url, bad nonce.</summary>
    Malformed,

    /// <summary>The prefix's signature does not match (tampered or forged), or its key id is not listed (retired or forged).</summary>
    BadSignature,

    /// <summary>A genuine challenge of another room.</summary>
    WrongRoom,

    /// <summary>A genuine challenge issued to another visitor (another <c>wr_vid</c>).</summary>
    WrongVisitor,

    /// <summary>A genuine challenge past its expiry.</summary>
    Expired,

    /// <summary>A genuine challenge of a lower difficulty than the room asks for now (the operator raised it since).</summary>
    TooEasy,

    /// <summary>The hash of the proof has fewer leading zero bits than the challenge's difficulty.</summary>
    InsufficientWork,

    /// <summary>A valid proof already accepted once, by this proxy or another.</summary>
    Replayed,
}

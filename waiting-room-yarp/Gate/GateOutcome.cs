namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>What the gate did with a request: the <c>outcome</c> label of the requests metric.</summary>
internal enum GateOutcome
{
    /// <summary>Admitted visitor, proxied.</summary>
    Passed,

    /// <summary>Sent to the waiting page, or answered 503 to wait.</summary>
    Diverted,

    /// <summary>Queue off, nobody waiting: admitted on the spot and proxied.</summary>
    DirectAdmit,

    /// <summary>Redis unavailable, FailurePolicy Open: proxied without admission.</summary>
    FailedOpen,

    /// <summary>Redis unavailable, FailurePolicy Closed: 503.</summary>
    FailedClosed,

    /// <summary>Too many joins (or new places) from the client's address or network: 429.</summary>
    RateLimited,

    /// <summary>Redis busy (answering, but not this call in time): 503 with a short Retry-After, nothing proxied.</summary>
    Shed,

    /// <summary>The room closes once sold out (<c>WhenSoldOut = Close</c>) and nothing is left: no place taken, 410.</summary>
    SoldOut,

    /// <summary>No place, and the room's challenge on: a proof-of-work challenge given (503 JSON, or the challenge page).</summary>
    Challenged,

    /// <summary>A credential refused (a bad or used proof, a missing or bad invitation key): 400/403, no place taken.</summary>
    Refused,

    /// <summary>The client's network holds the room's <c>MaxPlacesPerNetwork</c> waiting places already: no place taken, 429.</summary>
    NetworkCap,
}

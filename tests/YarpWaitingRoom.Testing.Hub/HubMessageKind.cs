namespace YarpWaitingRoom.Testing.Hub;

/// <summary>What a frame from the hub was; flags, so that a caller can wait for one of several (<see cref="HubClient.WaitForAsync"/>).</summary>
[Flags]
public enum HubMessageKind
{
    None = 0,

    /// <summary><c>{"type":"position","position":…,"etaSeconds":…,"queueOn":…}</c>: on connect and every push tick.</summary>
    Position = 1,

    /// <summary><c>{"type":"admitted","enterUrl":…}</c>: the link only for the ticket's own visitor.</summary>
    Admitted = 2,

    /// <summary><c>{"type":"gone","reason":…}</c>: the place is lost.</summary>
    Gone = 4,

    /// <summary>A JSON object with a <c>type</c> the protocol does not define.</summary>
    Other = 8,

    /// <summary><c>{"type":"prequeue","receipt":…,"startsAt":…}</c>: held in a scheduled sale's pre-queue until its start.</summary>
    Prequeue = 32,

    /// <summary><c>{"type":"soldout","keepsPlace":true}</c>: nothing left to sell; the place is kept.</summary>
    SoldOut = 64,

    /// <summary><c>{"type":"restocked"}</c>: seats came back after a sold-out spell; admission goes on in order.</summary>
    Restocked = 128,

    /// <summary>Not a message at all: malformed JSON, not an object, no <c>type</c>, or larger than the client reads.</summary>
    Invalid = 16,
}

namespace YarpWaitingRoom.Options;

/// <summary>What a visitor without a place must do before taking one (<see cref="RoomOptions.Challenge"/>).</summary>
public enum ChallengeMode
{
    /// <summary>Nothing: a place is taken at the first gated request.</summary>
    None = 0,

    /// <summary>Solve a proof-of-work challenge (SHA-256 leading zero bits) first; the browser's waiting page does it in a Web Worker.</summary>
    ProofOfWork = 1,
}

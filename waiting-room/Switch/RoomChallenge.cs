using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Switch;

/// <summary>A room's challenge now (<see cref="RoomSnapshot.ChallengeOf"/>): whether one is asked, and how hard.</summary>
/// <param name="Mode">None, or a proof of work.</param>
/// <param name="Difficulty">Leading zero bits a proof needs (1-32).</param>
internal readonly record struct RoomChallenge(ChallengeMode Mode, int Difficulty)
{
    /// <summary>Whether a visitor without a place must bring a proof.</summary>
    public bool IsOn => Mode == ChallengeMode.ProofOfWork;
}

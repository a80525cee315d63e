using YarpWaitingRoom.Challenges;

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>
/// The gate's 503 to an API client without a place while the room's challenge is on: solve <paramref name="Challenge"/>
/// and send the request again with <paramref name="ProofHeader"/>: <c>&lt;prefix&gt;:&lt;nonce&gt;</c> (and the
/// <c>wr_vid</c> cookie of this answer: the challenge is bound to it).
/// </summary>
/// <param name="Room">The room.</param>
/// <param name="State">Always <c>challenge</c>.</param>
/// <param name="Challenge">algorithm, prefix, difficulty, expiresAt.</param>
/// <param name="ProofHeader">The header the proof goes in.</param>
internal sealed record ChallengedResponse(string Room, string State, Challenge Challenge, string ProofHeader);

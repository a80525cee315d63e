namespace YarpWaitingRoom.Challenges;

/// <summary>
/// A proof-of-work challenge as clients receive it (the <c>challenge</c> object of the API's <c>503</c>, and what the
/// waiting page solves): <c>{"algorithm": "sha256-leading-zero-bits", "prefix": "…", "difficulty": 18, "expiresAt": "…"}</c>
/// with the web defaults of System.Text.Json (camelCase). See <see cref="ChallengeService"/> for the format.
/// </summary>
/// <param name="Algorithm">Always <see cref="ChallengeService.Algorithm"/>.</param>
/// <param name="Prefix">The signed challenge: what the proof starts with.</param>
/// <param name="Difficulty">Leading zero bits the SHA-256 of the proof needs.</param>
/// <param name="ExpiresAt">After this the proof is refused; solve and send it before.</param>
internal sealed record Challenge(string Algorithm, string Prefix, int Difficulty, DateTimeOffset ExpiresAt);

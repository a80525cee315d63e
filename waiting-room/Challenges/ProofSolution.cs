namespace YarpWaitingRoom.Challenges;

/// <summary>A nonce that solves a challenge, as <see cref="ProofSolver"/> found it.</summary>
/// <param name="Nonce">What goes after the prefix's <c>:</c> in the proof.</param>
/// <param name="Counter">The counter the nonce spells in base 36 (to search on past it).</param>
/// <param name="ZeroBits">The leading zero bits of the proof's SHA-256 (at least the difficulty asked for).</param>
internal readonly record struct ProofSolution(string Nonce, long Counter, int ZeroBits);

using System.Globalization;

namespace YarpWaitingRoom.Challenges;

/// <summary>
/// What a proof that passed every in-process check says: which challenge it solves (the id the replay store marks used),
/// when that challenge expires, and its difficulty. A value type, so a verification allocates nothing.
/// </summary>
/// <param name="ChallengeId">The challenge's 128 random bits, signed into its prefix.</param>
/// <param name="ExpiresAt">The challenge's expiry (millisecond precision).</param>
/// <param name="Difficulty">The difficulty signed into the challenge (the proof may have more leading zero bits).</param>
internal readonly record struct VerifiedProof(UInt128 ChallengeId, DateTimeOffset ExpiresAt, int Difficulty)
{
    /// <summary>The challenge id as 32 lowercase hex digits (the replay key's last part).</summary>
    public string ChallengeIdText => ChallengeId.ToString("x32", CultureInfo.InvariantCulture);
}

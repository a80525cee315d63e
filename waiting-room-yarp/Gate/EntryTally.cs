using StackExchange.Redis;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// What this proxy's gate did with a room's visitors without a place since its last flush: counted in memory on the
/// request path (no Redis call), added to the room's shared tally once a second (<see cref="EntryTallyFlusher"/>), so
/// the admin API shows the sum over every proxy. Thread-safe.
/// </summary>
internal sealed class EntryTally
{
    /// <summary>The tally's fields, in <see cref="Redis.RedisKeys.EntryTally"/> and in the admin room view.</summary>
    public static readonly string[] Fields = ["challengesIssued", "challengesSolved", "proofsRefused", "proofsReplayed", "invitationsRefused"];

    private readonly long[] _counts = new long[Fields.Length];

    public void ChallengeIssued() => Interlocked.Increment(ref _counts[0]);

    public void ChallengeSolved() => Interlocked.Increment(ref _counts[1]);

    public void ProofRefused(bool replayed) => Interlocked.Increment(ref _counts[replayed ? 3 : 2]);

    public void InvitationRefused() => Interlocked.Increment(ref _counts[4]);

    /// <summary>Takes what was counted (resetting it); empty when nothing was.</summary>
    public HashEntry[] Take()
    {
        var taken = new List<HashEntry>();
        for (var i = 0; i < _counts.Length; i++)
        {
            if (Interlocked.Exchange(ref _counts[i], 0) is var count and > 0)
            {
                taken.Add(new HashEntry(Fields[i], count));
            }
        }

        return [.. taken];
    }

    /// <summary>Counts taken but not written (Redis failed): added back for the next flush.</summary>
    public void Restore(HashEntry[] taken)
    {
        foreach (var entry in taken)
        {
            Interlocked.Add(ref _counts[Array.IndexOf(Fields, (string)entry.Name!)], (long)entry.Value);
        }
    }
}

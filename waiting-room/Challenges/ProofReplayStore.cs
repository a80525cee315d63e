using StackExchange.Redis;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Challenges;

/// <summary>
/// The one entry point of "each solution is accepted once, across proxies": <see cref="RedeemAsync"/> checks a proof in
/// process (<see cref="ChallengeService.Verify"/>) and only when it passed every check marks its challenge used with
/// <c>SET {wr:&lt;room&gt;}:proof:&lt;challenge id&gt; 1 NX PX &lt;until the challenge expires + margin&gt;</c>: the first
/// proxy to set it accepts, every later attempt (any proxy, any nonce for the same challenge) is
/// <see cref="ProofOutcome.Replayed"/>. A bad proof costs no Redis call. The call runs through the store's
/// <see cref="RedisCallPolicy"/> (its failures propagate: the gate applies the room's failure policy). Thread-safe; hold
/// one per process.
/// </summary>
internal sealed class ProofReplayStore
{
    /// <summary>
    /// How long a used marker outlives its challenge's expiry: another proxy whose clock runs behind still takes the
    /// challenge for valid a little longer, and must still find it used.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly ChallengeService _challenges;
    private readonly RedisCallPolicy _policy;

    /// <param name="redis">The process's connection.</param>
    /// <param name="challenges">What verifies proofs before any Redis call.</param>
    /// <param name="policy">What every Redis call runs through; by default none (<see cref="RedisCallPolicy.PassThrough"/>).</param>
    public ProofReplayStore(IConnectionMultiplexer redis, ChallengeService challenges, RedisCallPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(challenges);
        _redis = redis;
        _challenges = challenges;
        _policy = policy ?? RedisCallPolicy.PassThrough;
    }

    /// <summary>
    /// Verifies <paramref name="proof"/> for <paramref name="visitor"/> in the room of <paramref name="keys"/> and, when
    /// valid, accepts it unless it was accepted before. Completes synchronously, without Redis, for any other outcome.
    /// </summary>
    /// <param name="keys">The room's keys (the gate's cached <see cref="RedisKeys"/>); the room is <see cref="RedisKeys.Room"/>.</param>
    /// <param name="visitor">The visitor's id from its valid <c>wr_vid</c>.</param>
    /// <param name="proof">The <see cref="ChallengeService.ProofHeader"/> value as sent (null or empty: <see cref="ProofOutcome.Malformed"/>).</param>
    /// <param name="now">Now.</param>
    /// <param name="minimumDifficulty">The room's difficulty now (<see cref="ChallengeService.Verify"/>); 0 accepts any.</param>
    public ValueTask<ProofOutcome> RedeemAsync(RedisKeys keys, string visitor, string? proof, DateTimeOffset now, int minimumDifficulty = 0)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var outcome = _challenges.Verify(keys.Room, visitor, proof, now, minimumDifficulty, out var verified);
        return outcome == ProofOutcome.Valid ? MarkUsedAsync(keys, verified, now) : ValueTask.FromResult(outcome);
    }

    private async ValueTask<ProofOutcome> MarkUsedAsync(RedisKeys keys, VerifiedProof proof, DateTimeOffset now)
    {
        var key = keys.Proof(proof.ChallengeIdText);
        var ttl = proof.ExpiresAt - now + ClockMargin;
        var first = await _policy.RunAsync(() => _redis.GetDatabase().StringSetAsync(key, 1, ttl, When.NotExists));
        return first ? ProofOutcome.Valid : ProofOutcome.Replayed;
    }
}

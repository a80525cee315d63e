using System.Text;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Tests.Challenges;

/// <summary>Each solution accepted once, across proxies: two stores on two connections stand for two proxies.</summary>
public sealed class ProofReplayStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private const string Visitor = "v-3f2a9c";
    private const int Easy = 8;

    private static readonly ChallengeService Challenges = new([new SigningKey("k1", Encoding.UTF8.GetBytes("secret-secret-secret-secret-secret-0"))]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly RedisKeys _keys = new(UniqueName.For("pow"));
    private ConnectionMultiplexer _proxyA = null!;
    private ConnectionMultiplexer _proxyB = null!;

    private DateTimeOffset Now => _time.GetUtcNow();

    public async ValueTask InitializeAsync()
    {
        _proxyA = await redis.ConnectAsync();
        _proxyB = await redis.ConnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _proxyA.DisposeAsync();
        await _proxyB.DisposeAsync();
    }

    [Fact]
    public async Task Redeem_ValidProof_IsAcceptedOnce_ThenReplayed_OnTheSameAndOnAnotherProxy()
    {
        var proof = Solve(Challenges.Issue(_keys.Room, Visitor, Easy, Now));
        var sut = new ProofReplayStore(_proxyA, Challenges);
        var otherProxy = new ProofReplayStore(_proxyB, Challenges);

        Assert.Equal(ProofOutcome.Valid, await sut.RedeemAsync(_keys, Visitor, proof, Now));
        Assert.Equal(ProofOutcome.Replayed, await otherProxy.RedeemAsync(_keys, Visitor, proof, Now));
        Assert.Equal(ProofOutcome.Replayed, await sut.RedeemAsync(_keys, Visitor, proof, Now));
    }

    [Fact]
    public async Task Redeem_AnotherSolutionOfAnAlreadyUsedChallenge_IsReplayed()
    {
        var challenge = Challenges.Issue(_keys.Room, Visitor, Easy, Now);
        var first = ProofSolver.Solve(challenge.Prefix, Easy, cancellationToken: TestContext.Current.CancellationToken);
        var second = ProofSolver.Solve(challenge.Prefix, Easy, first.Counter + 1, TestContext.Current.CancellationToken);
        var sut = new ProofReplayStore(_proxyA, Challenges);

        Assert.Equal(ProofOutcome.Valid, await sut.RedeemAsync(_keys, Visitor, ChallengeService.FormatProof(challenge.Prefix, first.Nonce), Now));
        Assert.Equal(ProofOutcome.Replayed, await new ProofReplayStore(_proxyB, Challenges).RedeemAsync(
            _keys, Visitor, ChallengeService.FormatProof(challenge.Prefix, second.Nonce), Now));
    }

    [Fact]
    public async Task Redeem_TwoChallengesOfTheSameVisitor_AreEachAcceptedOnce()
    {
        var sut = new ProofReplayStore(_proxyA, Challenges);

        Assert.Equal(ProofOutcome.Valid, await sut.RedeemAsync(_keys, Visitor, Solve(Challenges.Issue(_keys.Room, Visitor, Easy, Now)), Now));
        Assert.Equal(ProofOutcome.Valid, await sut.RedeemAsync(_keys, Visitor, Solve(Challenges.Issue(_keys.Room, Visitor, Easy, Now)), Now));
    }

    [Fact]
    public async Task Redeem_ValidProof_MarksTheChallengeUsed_UntilItExpiresPlusTheClockMargin()
    {
        var challenge = Challenges.Issue(_keys.Room, Visitor, Easy, Now);
        var proof = Solve(challenge);
        Assert.Equal(ProofOutcome.Valid, Challenges.Verify(_keys.Room, Visitor, proof, Now, 0, out var verified));
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(ProofOutcome.Valid, await new ProofReplayStore(_proxyA, Challenges).RedeemAsync(_keys, Visitor, proof, Now));

        var key = _keys.Proof(verified.ChallengeIdText);
        Assert.StartsWith("{wr:" + _keys.Room + "}:proof:", key.ToString(), StringComparison.Ordinal);
        var ttl = await _proxyA.GetDatabase().KeyTimeToLiveAsync(key);
        // 2 min of life, 30 s of it gone, plus the 1 min margin: 2.5 min (less what the call took).
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(140), TimeSpan.FromSeconds(150));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    public async Task Redeem_MissingOrMalformedProof_IsMalformed(string? proof) =>
        Assert.Equal(ProofOutcome.Malformed, await new ProofReplayStore(_proxyA, Challenges).RedeemAsync(_keys, Visitor, proof, Now));

    [Fact]
    public async Task Redeem_ProofRefusedInProcess_MakesNoRedisCall()
    {
        var challenge = Challenges.Issue(_keys.Room, Visitor, 12, Now);
        var proof = Solve(challenge);
        var closed = await redis.ConnectAsync();
        await closed.CloseAsync();
        var sut = new ProofReplayStore(closed, Challenges);

        // Refusals complete at once on a connection that cannot make a call...
        Assert.Equal(ProofOutcome.WrongVisitor, AtOnce(sut.RedeemAsync(_keys, "v-other", proof, Now)));
        Assert.Equal(ProofOutcome.WrongRoom, AtOnce(sut.RedeemAsync(new RedisKeys("other-room"), Visitor, proof, Now)));
        Assert.Equal(ProofOutcome.TooEasy, AtOnce(sut.RedeemAsync(_keys, Visitor, proof, Now, minimumDifficulty: 13)));
        Assert.Equal(ProofOutcome.Expired, AtOnce(sut.RedeemAsync(_keys, Visitor, proof, challenge.ExpiresAt)));
        Assert.Equal(ProofOutcome.InsufficientWork, AtOnce(sut.RedeemAsync(_keys, Visitor, challenge.Prefix + ":" + Unsolved(challenge.Prefix, 12), Now)));

        // ...where a valid proof needs Redis.
        await Assert.ThrowsAnyAsync<Exception>(async () => await sut.RedeemAsync(_keys, Visitor, proof, Now));
        await closed.DisposeAsync();
    }

    private static string Solve(Challenge challenge) =>
        ChallengeService.FormatProof(
            challenge.Prefix, ProofSolver.Solve(challenge.Prefix, challenge.Difficulty, cancellationToken: TestContext.Current.CancellationToken).Nonce);

    private static ProofOutcome AtOnce(ValueTask<ProofOutcome> redeem)
    {
        Assert.True(redeem.IsCompletedSuccessfully);
        return redeem.Result;
    }

    private static string Unsolved(string prefix, int bits)
    {
        for (var counter = 0L; ; counter++)
        {
            var nonce = ProofSolver.Nonce(counter);
            if (ChallengeService.LeadingZeroBits(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(prefix + ":" + nonce))) < bits)
            {
                return nonce;
            }
        }
    }
}

using System.Text;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Tests.Challenges;

/// <summary>
/// A join under conditions, in a real Redis: a room that asks a credential refuses a new place without one but gives a
/// held place back; a proof is spent by the join that takes a place, once across proxies (two stores on two connections
/// stand for two proxies), and never by a visitor who already holds a place.
/// </summary>
public sealed class JoinConditionsTests(RedisFixture redis) : IAsyncLifetime
{
    private const int Easy = 8;

    private static readonly ChallengeService Challenges = new([new SigningKey("k1", Encoding.UTF8.GetBytes("secret-secret-secret-secret-secret-0"))]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly string _room = UniqueName.For("pow");
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

    private QueueStore Queue(ConnectionMultiplexer proxy) => new(proxy, _room, new RoomOptions(), _time);

    [Fact]
    public async Task Join_WithoutTheCredential_IsRefused_ButAHeldPlaceIsGivenBack()
    {
        var queue = Queue(_proxyA);
        var held = await queue.JoinAsync("holder", queueOff: false);

        var refused = await queue.JoinAsync("newcomer", queueOff: false, new JoinConditions(MayTakePlace: false));
        var again = await queue.JoinAsync("holder", queueOff: false, new JoinConditions(MayTakePlace: false));

        Assert.Equal(JoinRefusal.CredentialNeeded, refused.Refusal);
        Assert.Equal(TicketState.Gone, refused.State);
        Assert.Equal(held.Ticket, again.Ticket);
        Assert.False(again.IsRefused);
        Assert.Equal(1, (await queue.CountsAsync()).Waiting);
    }

    [Fact]
    public async Task Join_WithoutTheCredential_TakesNoPreQueuePlace_AndNoDirectAdmission()
    {
        var queue = Queue(_proxyA);
        var conditions = new JoinConditions(MayTakePlace: false);

        var admission = await queue.JoinAsync("direct", queueOff: true, conditions);
        await queue.Schedule.ScheduleAsync(new ScheduledEvent("Concert", Now, Now.AddMinutes(10), DrawOrder.Lottery));
        var prequeue = await queue.JoinAsync("early", queueOff: true, conditions);

        Assert.Equal(JoinRefusal.CredentialNeeded, admission.Refusal);
        Assert.Equal(JoinRefusal.CredentialNeeded, prequeue.Refusal);
        Assert.Equal((0, 0), await queue.CountsAsync());
    }

    [Fact]
    public async Task Join_WithAProof_TakesAPlace_AndTheSameChallengeIsRefusedAsReplayedOnAnotherProxy()
    {
        var proof = Verified(Challenges.Issue(_room, "v1", Easy, Now), "v1");

        var first = await Queue(_proxyA).JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));
        await Queue(_proxyA).LeaveAsync(first.Ticket);
        var replayed = await Queue(_proxyB).JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));

        Assert.Equal(TicketState.Waiting, first.State);
        Assert.True(first.IsNew);
        Assert.Equal(JoinRefusal.ProofReplayed, replayed.Refusal);
        Assert.Equal(0, (await Queue(_proxyB).CountsAsync()).Waiting);
    }

    [Fact]
    public async Task Join_OfAVisitorWhoHoldsAPlace_DoesNotSpendTheProof()
    {
        var queue = Queue(_proxyA);
        var held = await queue.JoinAsync("v1", queueOff: false);
        var proof = Verified(Challenges.Issue(_room, "v1", Easy, Now), "v1");

        var again = await queue.JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));
        await queue.LeaveAsync(held.Ticket);
        var rejoined = await Queue(_proxyB).JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));

        Assert.Equal(held.Ticket, again.Ticket);
        Assert.False(rejoined.IsRefused);
        Assert.True(rejoined.IsNew);
    }

    [Fact]
    public async Task Join_WithAProof_InAClosedSoldOutRoom_IsRefusedSoldOut_WithoutSpendingTheProof()
    {
        var closing = new QueueStore(_proxyA, _room, new RoomOptions { WhenSoldOut = SoldOutPolicy.Close }, _time);
        var proof = Verified(Challenges.Issue(_room, "v1", Easy, Now), "v1");
        await closing.SetInventoryAsync(0, Now, "test");

        var soldOut = await closing.JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));
        await closing.SetInventoryAsync(10, Now, "test");
        var joined = await closing.JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));

        Assert.Equal(JoinRefusal.SoldOut, soldOut.Refusal);
        Assert.False(joined.IsRefused);
    }

    [Fact]
    public async Task Join_WithAProof_MarksTheChallengeUsed_UntilItExpiresPlusTheClockMargin()
    {
        var challenge = Challenges.Issue(_room, "v1", Easy, Now);
        var proof = Verified(challenge, "v1");
        _time.Advance(TimeSpan.FromSeconds(30));
        var queue = Queue(_proxyA);

        await queue.JoinAsync("v1", queueOff: false, new JoinConditions(Proof: proof));

        var key = queue.Keys.Proof(proof.ChallengeIdText);
        Assert.StartsWith("{wr:" + _room + "}:proof:", key.ToString(), StringComparison.Ordinal);
        var ttl = await _proxyA.GetDatabase().KeyTimeToLiveAsync(key);
        // 2 min of life, 30 s of it gone, plus the 1 min margin: 2.5 min (less what the call took).
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(140), TimeSpan.FromSeconds(150));
    }

    private VerifiedProof Verified(Challenge challenge, string visitor)
    {
        var nonce = ProofSolver.Solve(challenge.Prefix, challenge.Difficulty, cancellationToken: TestContext.Current.CancellationToken).Nonce;
        Assert.Equal(ProofOutcome.Valid, Challenges.Verify(_room, visitor, ChallengeService.FormatProof(challenge.Prefix, nonce), Now, 0, out var verified));
        return verified;
    }
}

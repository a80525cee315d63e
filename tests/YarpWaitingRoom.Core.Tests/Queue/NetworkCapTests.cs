using System.Text;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>
/// The cap on waiting places per client network (<see cref="RoomOptions.MaxPlacesPerNetwork"/>), in a real Redis: the
/// join counts a new waiting or pre-queue place against the network it names and refuses one over the cap, before any
/// proof is spent; every way a place ends (admitted, reaped, left, the room reset) releases it once, so a count never
/// goes below zero and a network's field goes when it reaches zero.
/// </summary>
public sealed class NetworkCapTests(RedisFixture redis) : IAsyncLifetime
{
    private const string Home = "203.0.113.0/24";
    private const string Campus = "198.51.100.0/24";

    private static readonly ChallengeService Challenges = new([new SigningKey("k1", Encoding.UTF8.GetBytes("secret-secret-secret-secret-secret-0"))]);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    private DateTimeOffset Now => _time.GetUtcNow();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private QueueStore CreateSut(int maxPlacesPerNetwork = 2, string? room = null) => new(
        _connection,
        room ?? UniqueName.For("netcap"),
        new RoomOptions { MaxPlacesPerNetwork = maxPlacesPerNetwork, MaxActive = 10, AbandonAfter = TimeSpan.FromSeconds(30) },
        _time);

    private static JoinConditions From(string network) => new(Network: network);

    private static Task<JoinResult> JoinAsync(QueueStore sut, string visitor, string network, bool queueOff = false) =>
        sut.JoinAsync(visitor, queueOff, From(network));

    private async Task<long> PlacesAsync(QueueStore sut, string network) =>
        (long)(await Db.SortedSetScoreAsync(sut.Keys.Networks, network) ?? 0);

    /// <summary>
    /// The counts are what the visitors counted say, and none is zero or below: each network's count is the number of its
    /// visitors in netof.
    /// </summary>
    private async Task AssertConsistentAsync(QueueStore sut)
    {
        var counts = await Db.SortedSetRangeByRankWithScoresAsync(sut.Keys.Networks);
        var counted = await Db.HashGetAllAsync(sut.Keys.NetworkOf);
        foreach (var count in counts)
        {
            Assert.True(count.Score > 0, $"{count.Element} counts {count.Score}");
            Assert.Equal((long)count.Score, counted.Count(entry => entry.Value == count.Element));
        }

        Assert.Equal(counted.Length, (long)counts.Sum(count => count.Score));
    }

    [Fact]
    public async Task Join_AtTheCap_RefusesANewPlaceFromThatNetwork_ButNotFromAnother_NorAVisitorWhoHoldsOne()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 2);
        var first = await JoinAsync(sut, "a", Home);
        await JoinAsync(sut, "b", Home);

        var refused = await JoinAsync(sut, "c", Home);
        var elsewhere = await JoinAsync(sut, "d", Campus);
        var again = await JoinAsync(sut, "a", Home);

        Assert.Equal(JoinRefusal.NetworkCap, refused.Refusal);
        Assert.Equal(TicketState.Gone, refused.State);
        Assert.Equal(TicketState.Waiting, elsewhere.State);
        Assert.Equal((first.Ticket, TicketState.Waiting, false), (again.Ticket, again.State, again.IsNew));
        Assert.Equal(2, await PlacesAsync(sut, Home));
        Assert.Equal(1, await PlacesAsync(sut, Campus));
        Assert.Equal(3, (await sut.CountsAsync()).Waiting);
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Cap_IsCountedPerRoom_TwoRoomsAreIndependent()
    {
        var concert = CreateSut(maxPlacesPerNetwork: 1);
        var theatre = CreateSut(maxPlacesPerNetwork: 1);

        var inConcert = await JoinAsync(concert, "a", Home);
        var inTheatre = await JoinAsync(theatre, "b", Home);
        var overInConcert = await JoinAsync(concert, "c", Home);

        Assert.Equal(TicketState.Waiting, inConcert.State);
        Assert.Equal(TicketState.Waiting, inTheatre.State);
        Assert.Equal(JoinRefusal.NetworkCap, overInConcert.Refusal);
        Assert.Equal(1, await PlacesAsync(concert, Home));
        Assert.Equal(1, await PlacesAsync(theatre, Home));
    }

    [Fact]
    public async Task Join_WithTheCapOff_OrWithoutANetwork_CountsNothing()
    {
        var off = CreateSut(maxPlacesPerNetwork: 0);
        var on = CreateSut(maxPlacesPerNetwork: 1);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(TicketState.Waiting, (await JoinAsync(off, "v" + i, Home)).State);
            Assert.Equal(TicketState.Waiting, (await on.JoinAsync("v" + i, queueOff: false)).State);
        }

        Assert.False(await Db.KeyExistsAsync(off.Keys.Networks));
        Assert.False(await Db.KeyExistsAsync(on.Keys.Networks));
        Assert.False(await Db.KeyExistsAsync(on.Keys.NetworkOf));
    }

    [Fact]
    public async Task DirectAdmission_IsNotAWaitingPlace_NeitherCountedNorRefused()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 1);

        var direct = await JoinAsync(sut, "a", Home, queueOff: true);
        var waiting = await JoinAsync(sut, "b", Home, queueOff: false);

        Assert.Equal(TicketState.Active, direct.State);
        Assert.Equal(TicketState.Waiting, waiting.State);
        Assert.Equal(1, await PlacesAsync(sut, Home));
    }

    [Fact]
    public async Task Admission_ReleasesThePlaces_SoTheNetworkMayTakeNewOnes()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 2);
        await JoinAsync(sut, "a", Home);
        await JoinAsync(sut, "b", Home);
        await JoinAsync(sut, "c", Campus);

        var admitted = await sut.AdmitAsync(await sut.NextFenceAsync(), limit: 2);
        var next = await JoinAsync(sut, "d", Home);

        Assert.Equal(2, admitted.Admitted);
        Assert.Equal(TicketState.Waiting, next.State);
        Assert.Equal(1, await PlacesAsync(sut, Home));
        Assert.Equal(1, await PlacesAsync(sut, Campus));
        Assert.False(await Db.HashExistsAsync(sut.Keys.NetworkOf, "a"));
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Reaper_ReleasesAnAbandonedPlace_AndTheNetworksFieldGoesAtZero()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 1);
        await JoinAsync(sut, "a", Home);
        _time.Advance(TimeSpan.FromSeconds(31));

        var reaped = await sut.ReapAsync();
        var networksLeft = await Db.SortedSetLengthAsync(sut.Keys.Networks);
        var next = await JoinAsync(sut, "b", Home);

        Assert.Equal(1, reaped.Reaped);
        Assert.Equal(0, networksLeft);
        Assert.Equal(TicketState.Waiting, next.State);
        Assert.Equal(1, await PlacesAsync(sut, Home));
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Leave_ReleasesThePlaceOnce_LeavingAgainOrReapingAfterwardsReleasesNothingMore()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 2);
        var a = await JoinAsync(sut, "a", Home);
        await JoinAsync(sut, "b", Home);

        Assert.Equal(LeaveResult.Left, await sut.LeaveAsync(a.Ticket));
        Assert.Equal(LeaveResult.NoPlace, await sut.LeaveAsync(a.Ticket));
        _time.Advance(TimeSpan.FromSeconds(31));
        await sut.ReapAsync();

        Assert.Equal(0, await PlacesAsync(sut, Home));
        Assert.False(await Db.KeyExistsAsync(sut.Keys.Networks));
        Assert.False(await Db.KeyExistsAsync(sut.Keys.NetworkOf));
    }

    [Fact]
    public async Task AnAdmittedVisitor_LeavingOrReaped_DoesNotReleaseAnotherPlaceOfItsNetwork()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 2);
        var a = await JoinAsync(sut, "a", Home);
        var admitted = await sut.AdmitAsync(await sut.NextFenceAsync());
        var b = await JoinAsync(sut, "b", Home);

        Assert.Equal(LeaveResult.NoPlace, await sut.LeaveAsync(a.Ticket));
        await sut.KeepAliveAsync([admitted.Tickets[0]]);
        _time.Advance(TimeSpan.FromSeconds(20));
        await sut.TouchAsync([b.Ticket]);
        _time.Advance(TimeSpan.FromSeconds(11));
        var reaped = await sut.ReapAsync();

        Assert.Equal(1, reaped.FreedActive);
        Assert.Equal(1, await PlacesAsync(sut, Home));
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Reap_TellsHowManyNetworksAreAtTheCap()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 2);
        await JoinAsync(sut, "a", Home);
        await JoinAsync(sut, "b", Home);
        await JoinAsync(sut, "c", Campus);

        var reaped = await sut.ReapAsync();

        Assert.Equal(new ReapResult(0, 0, NetworksAtCap: 1), reaped);
    }

    [Fact]
    public async Task Reset_WipesTheCounts()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 1);
        await JoinAsync(sut, "a", Home);

        await sut.ResetAsync(Cancellation);
        var after = await JoinAsync(sut, "b", Home);

        Assert.Equal(TicketState.Waiting, after.State);
        Assert.Equal(1, await PlacesAsync(sut, Home));
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Prequeue_CountsParticipants_TheDrawKeepsThemCounted_AndAdmissionReleasesThem()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 2);
        var events = new EventStore(_connection, sut.Keys, _time);
        await events.ScheduleAsync(new ScheduledEvent("Concert", Now, Now.AddMinutes(10), DrawOrder.Fifo));
        var a = await JoinAsync(sut, "a", Home);
        await JoinAsync(sut, "b", Home);
        var refused = await JoinAsync(sut, "c", Home);
        var gone = await JoinAsync(sut, "d", Campus);
        Assert.Equal(LeaveResult.Left, await sut.LeaveAsync(gone.Ticket));

        _time.Advance(TimeSpan.FromMinutes(10));
        var drawn = await sut.Draw.DrawAsync(await sut.NextFenceAsync());
        var placesAfterDraw = await PlacesAsync(sut, Home);
        var admitted = await sut.AdmitAsync(await sut.NextFenceAsync(), limit: 1);

        Assert.Equal(TicketState.Prequeue, a.State);
        Assert.Equal(JoinRefusal.NetworkCap, refused.Refusal);
        Assert.Equal(DrawOutcome.Drawn, drawn.Outcome);
        Assert.Equal(2, placesAfterDraw);
        Assert.Equal(1, admitted.Admitted);
        Assert.Equal(1, await PlacesAsync(sut, Home));
        Assert.Equal(0, await PlacesAsync(sut, Campus));
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Reaper_ReleasesAPrequeueParticipantUnseen()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 1);
        var events = new EventStore(_connection, sut.Keys, _time);
        await events.ScheduleAsync(new ScheduledEvent("Concert", Now, Now.AddMinutes(10), DrawOrder.Lottery));
        await JoinAsync(sut, "a", Home);
        _time.Advance(TimeSpan.FromSeconds(31));

        await sut.ReapAsync();
        var next = await JoinAsync(sut, "b", Home);

        Assert.Equal(TicketState.Prequeue, next.State);
        Assert.Equal(1, await PlacesAsync(sut, Home));
        await AssertConsistentAsync(sut);
    }

    [Fact]
    public async Task Join_RefusedForTheCap_DoesNotSpendTheProof()
    {
        var room = UniqueName.For("netcap");
        var sut = CreateSut(maxPlacesPerNetwork: 1, room: room);
        var holder = await JoinAsync(sut, "a", Home);
        var proof = Verified(room, Challenges.Issue(room, "b", 8, Now), "b");

        var refused = await sut.JoinAsync("b", queueOff: false, new JoinConditions(Proof: proof, Network: Home));
        await sut.LeaveAsync(holder.Ticket);
        var joined = await sut.JoinAsync("b", queueOff: false, new JoinConditions(Proof: proof, Network: Home));

        Assert.Equal(JoinRefusal.NetworkCap, refused.Refusal);
        Assert.False(joined.IsRefused);
        Assert.True(joined.IsNew);
    }

    [Fact]
    public async Task NetworkPlaces_ListsTheBusiestFirst_AndThoseAtTheCap()
    {
        var sut = CreateSut(maxPlacesPerNetwork: 3);
        for (var i = 0; i < 3; i++)
        {
            await JoinAsync(sut, "home" + i, Home);
        }

        await JoinAsync(sut, "campus", Campus);
        await JoinAsync(sut, "other", "192.0.2.0/24");
        await JoinAsync(sut, "other2", "192.0.2.0/24");

        var view = await sut.GetNetworkPlacesAsync(top: 2, maxPlacesPerNetwork: 3);

        Assert.Equal(3, view.Networks);
        Assert.Equal(1, view.AtCap);
        Assert.Equal([new NetworkCount(Home, 3), new NetworkCount("192.0.2.0/24", 2)], view.Busiest);
    }

    private VerifiedProof Verified(string room, Challenge challenge, string visitor)
    {
        var nonce = ProofSolver.Solve(challenge.Prefix, challenge.Difficulty, cancellationToken: Cancellation).Nonce;
        Assert.Equal(ProofOutcome.Valid, Challenges.Verify(room, visitor, ChallengeService.FormatProof(challenge.Prefix, nonce), Now, 0, out var verified));
        return verified;
    }
}

using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>The ticket id is written by the scripts and read by <see cref="TicketIds"/>: the two agree.</summary>
public sealed class TicketIdsTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private QueueStore CreateSut() => new(_connection, UniqueName.For("room"), new RoomOptions(), _time);

    [Theory]
    [InlineData("v")]
    [InlineData("vAbC-_09xyzAbC-_0")]
    [InlineData("with.dots:and.colons")]
    public async Task Join_TicketNamesTheVisitorAndTheSequenceItWaitsUnder(string visitor)
    {
        var sut = CreateSut();
        await sut.JoinAsync("someone-before", queueOff: false);

        var ticket = (await sut.JoinAsync(visitor, queueOff: false)).Ticket;

        Assert.True(TicketIds.TryParse(ticket, out var parsed, out var sequence));
        Assert.Equal(visitor, parsed);
        Assert.Equal((long?)await Db.SortedSetScoreAsync(sut.Keys.Waiting, visitor), sequence);
        Assert.Equal(TicketIds.Queued(visitor, sequence!.Value), ticket);
    }

    [Fact]
    public async Task Join_DirectAdmission_TicketNamesTheVisitor_WithoutASequence()
    {
        var sut = CreateSut();

        var join = await sut.JoinAsync("direct.visitor", queueOff: true);

        Assert.Equal(TicketState.Active, join.State);
        Assert.True(TicketIds.TryParse(join.Ticket, out var visitor, out var sequence));
        Assert.Equal(("direct.visitor", (long?)null), (visitor, sequence));
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Waiting));
    }

    [Fact]
    public async Task Join_AfterTheAdmissionWasEnded_GivesANewTicket_NeverAnEarlierOne()
    {
        var sut = CreateSut();
        var first = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.Equal(first, (await sut.JoinAsync("v", queueOff: false)).Ticket);
        Assert.True(await sut.EndSessionAsync(first, "purchase"));

        var second = (await sut.JoinAsync("v", queueOff: false)).Ticket;

        Assert.NotEqual(first, second);
        Assert.Equal(TicketState.Gone, (await sut.GetStatusAsync(first)).State);
        Assert.Equal(TicketState.Waiting, (await sut.GetStatusAsync(second)).State);
    }

    [Fact]
    public async Task WaitingPlace_IsTwoMembers_WaitingAndSeen_PlusOneJoinMarkPerSecond()
    {
        var sut = CreateSut();

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => sut.JoinAsync($"v{i}", queueOff: false)));

        Assert.Equal(50, await Db.SortedSetLengthAsync(sut.Keys.Waiting));
        Assert.Equal(50, await Db.SortedSetLengthAsync(sut.Keys.Seen));
        Assert.Equal(1, await Db.SortedSetLengthAsync(sut.Keys.Joined));
        Assert.False(await Db.KeyExistsAsync(sut.Keys.Visitors));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-separator")]
    [InlineData("visitor.")]
    [InlineData(".42")]
    [InlineData("visitor.x42")]
    [InlineData("visitor.-42")]
    public void TryParse_NotATicketId_IsFalse(string? ticket) =>
        Assert.False(TicketIds.TryParse(ticket, out _, out _));
}

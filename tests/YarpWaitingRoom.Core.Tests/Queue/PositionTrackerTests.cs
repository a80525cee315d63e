using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>
/// Places computed from the front and the departures (<see cref="PositionBook"/>, kept by <see cref="PositionTracker"/>)
/// equal <c>ZRANK + 1</c> exactly, on a real Redis, whatever random joins, repeated joins, admissions, reaps, reconnects
/// (a ticket's sequence looked up again), lost events (the stream trimmed under the reader) and resets do.
/// </summary>
public sealed class PositionTrackerTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private QueueStore CreateSut() =>
        new(_connection, UniqueName.For("places"), new RoomOptions { MaxActive = 1_000_000, AbandonAfter = TimeSpan.FromSeconds(30) }, _time);

    [Theory]
    [InlineData(1, 10_000)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(4, 50)]
    public async Task ComputedPlaces_EqualZRankPlusOne_ThroughRandomJoinsAdmissionsReapsAndReconnects(int seed, int eventsPerRead)
    {
        var sut = CreateSut();
        var tracker = new PositionTracker(sut, eventsPerRead);
        var random = new Random(seed);
        var sequences = new Dictionary<string, long>(StringComparer.Ordinal);
        var visitors = new List<string>();
        var checkedWaiting = 0;

        for (var step = 0; step < 250; step++)
        {
            switch (random.Next(100))
            {
                case < 35:
                    var visitor = "v" + visitors.Count;
                    visitors.Add(visitor);
                    await ConnectAsync(sut, (await sut.JoinAsync(visitor, queueOff: false)).Ticket, sequences);
                    break;
                case < 45 when visitors.Count > 0:
                    // The same visitor again: the same ticket (while it lives), or a new place after it was lost.
                    await ConnectAsync(sut, (await sut.JoinAsync(visitors[random.Next(visitors.Count)], queueOff: false)).Ticket, sequences);
                    break;
                case < 60:
                    await sut.AdmitAsync(await sut.NextFenceAsync(), limit: random.Next(1, 6));
                    break;
                case < 75:
                    // Time passes; some visitors beat, the others are reaped once unseen for AbandonAfter.
                    _time.Advance(TimeSpan.FromSeconds(random.Next(1, 25)));
                    var beating = sequences.Keys.Where(_ => random.Next(3) > 0).ToList();
                    await sut.TouchAsync(beating);
                    await sut.ReapAsync();
                    break;
                case < 85 when sequences.Count > 0:
                    // A reconnect: the hub looks the ticket's sequence up again.
                    await ConnectAsync(sut, sequences.Keys.ElementAt(random.Next(sequences.Count)), sequences);
                    break;
                case < 88:
                    // Events lost to the reader (the stream is capped): it must notice and read the departures whole.
                    await Db.StreamTrimAsync(sut.Keys.Events, 0);
                    break;
                case < 89:
                    await sut.ResetAsync(TestContext.Current.CancellationToken);
                    break;
            }

            if (random.Next(3) == 0)
            {
                checkedWaiting += await CheckAsync(sut, tracker, sequences);
            }
        }

        checkedWaiting += await CheckAsync(sut, tracker, sequences);
        Assert.True(checkedWaiting > 100, $"only {checkedWaiting} waiting places were compared");
    }

    [Fact]
    public async Task Probe_ComesBackAsTheTicketsZRankPlusOne_AtTheSameMoment()
    {
        var sut = CreateSut();
        var tracker = new PositionTracker(sut);
        for (var i = 0; i < 5; i++)
        {
            await sut.JoinAsync("p" + i, queueOff: false);
        }

        var third = (await sut.JoinAsync("p2", queueOff: false)).Ticket;
        var update = await tracker.UpdateAsync(third);

        Assert.Equal(3, update.ProbePlace);
        Assert.Equal(3, tracker.Book.PlaceOf((await sut.GetStatusAsync(third)).Sequence));
    }

    [Fact]
    public async Task Update_SteadyState_IsOneRead_AndStartsOverWhenEventsWereLost()
    {
        var sut = CreateSut();
        var tracker = new PositionTracker(sut);
        await sut.JoinAsync("a", queueOff: false);

        Assert.True((await tracker.UpdateAsync()).StartedOver);
        var steady = await tracker.UpdateAsync();
        Assert.Equal((1, false), (steady.Reads, steady.StartedOver));

        await sut.JoinAsync("b", queueOff: false);
        _time.Advance(TimeSpan.FromSeconds(31));
        await sut.ReapAsync();
        await Db.StreamTrimAsync(sut.Keys.Events, 0);
        var lost = await tracker.UpdateAsync();

        Assert.True(lost.StartedOver);
        Assert.Equal(2, lost.Reads);
    }

    private static async Task ConnectAsync(QueueStore sut, string ticket, Dictionary<string, long> sequences)
    {
        var status = await sut.GetStatusAsync(ticket);
        sequences[ticket] = status.State == TicketState.Waiting ? status.Sequence : 0;
    }

    /// <summary>Brings the book up to date, then compares every known ticket's computed place with ZRANK + 1; returns how many waited.</summary>
    private async Task<int> CheckAsync(QueueStore sut, PositionTracker tracker, Dictionary<string, long> sequences)
    {
        await tracker.UpdateAsync();
        var waiting = 0;
        foreach (var (ticket, sequence) in sequences)
        {
            // The waiting set is keyed by visitor; the ticket names it and the sequence it waits under.
            Assert.True(TicketIds.TryParse(ticket, out var visitor, out var waitsUnder));
            var rank = (long?)await Db.SortedSetScoreAsync(sut.Keys.Waiting, visitor) == waitsUnder ? await Db.SortedSetRankAsync(sut.Keys.Waiting, visitor) : null;
            var computed = tracker.Book.PlaceOf(sequence);
            if (rank is { } r)
            {
                Assert.True(r + 1 == computed, $"ticket {ticket} (sequence {sequence}) is at {r + 1}, computed {computed}");
                waiting++;
            }
            else
            {
                Assert.True(computed <= 0, $"ticket {ticket} (sequence {sequence}) no longer waits, computed {computed}");
            }
        }

        return waiting;
    }
}

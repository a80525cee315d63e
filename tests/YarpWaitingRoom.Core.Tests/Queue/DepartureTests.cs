using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Queue;

/// <summary>
/// How a ticket leaves the room, the same whichever script removes it (admit: expired, end-session: ended, reap:
/// abandoned), and what the room tells the proxies and hubs about it: the shared Lua library (prelude.lua).
/// </summary>
public sealed class DepartureTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private static RoomOptions Options(int maxActive = 3) =>
        new() { MaxActive = maxActive, ClaimWindow = TimeSpan.FromSeconds(60), AbandonAfter = TimeSpan.FromSeconds(30) };

    private QueueStore CreateSut(RoomOptions? options = null) => new(_connection, UniqueName.For("room"), options ?? Options(), _time);

    /// <summary>Takes an admitted ticket out of the room by <paramref name="why"/>; returns when it left (ms).</summary>
    private async Task<long> LeaveAsync(QueueStore sut, string ticket, string why)
    {
        switch (why)
        {
            case WaitingRoomEventType.Expired:
                _time.Advance(TimeSpan.FromSeconds(61));
                Assert.Equal(1, (await sut.AdmitAsync(await sut.NextFenceAsync())).Expired);
                break;
            case WaitingRoomEventType.Ended:
                Assert.True(await sut.EndSessionAsync(ticket, "purchase"));
                break;
            default:
                await sut.KeepAliveAsync([ticket]);
                _time.Advance(TimeSpan.FromSeconds(31));
                Assert.Equal(new ReapResult(1, 1), await sut.ReapAsync());
                break;
        }

        return NowMs;
    }

    [Theory]
    [InlineData(WaitingRoomEventType.Expired, null)]
    [InlineData(WaitingRoomEventType.Ended, "purchase")]
    [InlineData(WaitingRoomEventType.Abandoned, "active")]
    public async Task Departure_ForEachCause_DropsTheVisitorsPointer_KeepsWhy_AndAppendsOneEventNamingTheVisitor(string why, string? reason)
    {
        var sut = CreateSut();
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());

        var leftAt = await LeaveAsync(sut, ticket, why);

        Assert.False(await Db.HashExistsAsync(sut.Keys.Visitors, "v"));
        Assert.Null(await Db.SortedSetScoreAsync(sut.Keys.Active, ticket));
        Assert.Null(await Db.SortedSetScoreAsync(sut.Keys.ActiveSeen, ticket));
        Assert.Equal(leftAt, await Db.SortedSetScoreAsync(sut.Keys.Gone, ticket));
        Assert.Equal(why, (string?)await Db.HashGetAsync(sut.Keys.GoneReasons, ticket));
        var events = (await Db.StreamRangeAsync(sut.Keys.Events)).Where(e => e[WaitingRoomEventFields.Type] == why).ToList();
        var entry = Assert.Single(events);
        Assert.Equal(
            new Dictionary<string, string?>
            {
                [WaitingRoomEventFields.Type] = why,
                [WaitingRoomEventFields.Visitor] = "v",
                [WaitingRoomEventFields.Ticket] = ticket,
                [WaitingRoomEventFields.At] = leftAt.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [WaitingRoomEventFields.Reason] = reason,
            }.Where(f => f.Value is not null),
            entry.Values.Select(v => new KeyValuePair<string, string?>(v.Name!, v.Value)));
    }

    [Theory]
    [InlineData(WaitingRoomEventType.Expired)]
    [InlineData(WaitingRoomEventType.Ended)]
    [InlineData(WaitingRoomEventType.Abandoned)]
    public async Task Departure_OfATicketWhoseVisitorNowHoldsAnother_KeepsTheVisitorsNewTicket(string why)
    {
        var sut = CreateSut();
        var ticket = (await sut.JoinAsync("v", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        await Db.HashSetAsync(sut.Keys.Visitors, "v", "newer-ticket");

        await LeaveAsync(sut, ticket, why);

        Assert.Equal("newer-ticket", (string?)await Db.HashGetAsync(sut.Keys.Visitors, "v"));
    }

    [Fact]
    public async Task Revocations_ByEndSessionThenReapThenExpiry_NeverGoBackInTime_WhenTheLaterWritersClocksAreBehind()
    {
        var room = UniqueName.For("room");
        var sut = new QueueStore(_connection, room, Options(), _time);
        var ahead = new QueueStore(_connection, room, Options(), new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromMinutes(2)));
        var messages = await SubscribeAsync(sut);
        var buys = (await sut.JoinAsync("buys", queueOff: false)).Ticket;
        var vanishes = (await sut.JoinAsync("vanishes", queueOff: false)).Ticket;
        var lapses = (await sut.JoinAsync("lapses", queueOff: false)).Ticket;
        await sut.AdmitAsync(await sut.NextFenceAsync());
        var newest = NowMs + 120_000;

        Assert.True(await ahead.EndSessionAsync(buys, "purchase"));
        await sut.KeepAliveAsync([vanishes]);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(new ReapResult(1, 1), await sut.ReapAsync());
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, (await sut.AdmitAsync(await sut.NextFenceAsync())).Expired);

        // All three at the newest time: equal times come in ticket order.
        Assert.Equal(
            new[] { buys, vanishes, lapses }.Order(StringComparer.Ordinal).Select(t => new RevokedAdmission(t, newest)),
            await sut.RevokedSinceAsync(0));
        Assert.Equal(
            [$"revoked|{newest}|{buys}", $"revoked|{newest}|{vanishes}", $"revoked|{newest}|{lapses}"],
            await messages.WaitForAsync(m => m.StartsWith("revoked|", StringComparison.Ordinal), count: 3));
    }

    [Fact]
    public async Task Notices_ForAdmittedFreedAndRevoked_AreKindThenMillisecondsThenPayload()
    {
        var sut = CreateSut();
        var messages = await SubscribeAsync(sut);
        var first = (await sut.JoinAsync("first", queueOff: false)).Ticket;
        var second = (await sut.JoinAsync("second", queueOff: false)).Ticket;
        var third = (await sut.JoinAsync("third", queueOff: false)).Ticket;
        var start = NowMs;

        await sut.AdmitAsync(await sut.NextFenceAsync());
        Assert.True(await sut.EndSessionAsync(first, "purchase"));
        await sut.KeepAliveAsync([second, third]);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(new ReapResult(2, 2), await sut.ReapAsync());
        var reapedAt = NowMs;

        Assert.Equal(
            [
                $"admitted|{start}|{first},{second},{third}",
                $"freed|{start}|1",
                $"revoked|{start}|{first}",
                $"freed|{reapedAt}|2",
                $"revoked|{reapedAt}|{string.Join(',', new[] { second, third }.Order(StringComparer.Ordinal))}",
            ],
            await messages.WaitForAsync(_ => true, count: 5));
    }

    [Fact]
    public async Task AdmitExpireAndForget_MoreTicketsThanOneCommandCanCarry_TakeEveryTicketOnce()
    {
        // 4,500 admissions are 9,000 ZADD arguments: more than Lua can unpack into one call, so they go in chunks.
        const int Count = 4_500;
        var sut = CreateSut(Options(maxActive: 5_000));
        var joined = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => sut.JoinAsync($"v{i}", queueOff: false)));

        var admitted = await sut.AdmitAsync(await sut.NextFenceAsync());

        Assert.Equal(joined.OrderBy(j => j.Position).Select(j => j.Ticket), admitted.Tickets);
        Assert.Equal(Count, await Db.SortedSetLengthAsync(sut.Keys.Active));
        Assert.Equal(Count, await Db.HashLengthAsync(sut.Keys.Visitors));

        _time.Advance(TimeSpan.FromSeconds(61));
        var lapsed = await sut.AdmitAsync(await sut.NextFenceAsync());

        Assert.Equal(Count, lapsed.Expired);
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Active));
        Assert.Equal(0, await Db.HashLengthAsync(sut.Keys.Visitors));
        Assert.Equal(Count, await Db.SortedSetLengthAsync(sut.Keys.Gone));
        Assert.Equal(Count, (await sut.RevokedSinceAsync(0)).Length);

        _time.Advance(sut.GoneRetention + TimeSpan.FromSeconds(1));
        await sut.ReapAsync();

        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Gone));
        Assert.Equal(0, await Db.HashLengthAsync(sut.Keys.GoneReasons));
        Assert.Equal(0, await Db.SortedSetLengthAsync(sut.Keys.Revoked));
    }

    private async Task<Messages> SubscribeAsync(QueueStore sut)
    {
        var messages = new Messages();
        var channel = await _connection.GetSubscriber().SubscribeAsync(sut.Keys.Notify);
        channel.OnMessage(m => messages.Add(m.Message!));
        return messages;
    }

    /// <summary>The messages heard on a room's channel, in order.</summary>
    private sealed class Messages
    {
        private readonly List<string> _heard = [];

        public void Add(string message)
        {
            lock (_heard)
            {
                _heard.Add(message);
            }
        }

        /// <summary>The first <paramref name="count"/> messages that match, once they have all arrived (or what came within 5 s).</summary>
        public async Task<List<string>> WaitForAsync(Func<string, bool> match, int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (true)
            {
                List<string> matching;
                lock (_heard)
                {
                    matching = [.. _heard.Where(match)];
                }

                if (matching.Count >= count || DateTime.UtcNow > deadline)
                {
                    return matching;
                }

                await Task.Delay(10, TestContext.Current.CancellationToken);
            }
        }
    }
}

using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Inventory;

/// <summary>A room that knows its inventory, in a real Redis: admission bounded by what is left, sold out and back.</summary>
public sealed class InventoryTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 20, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _connection = null!;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private async Task<QueueStore> QueueWithWaitingAsync(int waiting, double admitPerSeat = 2.0, int maxActive = 5000)
    {
        var queue = new QueueStore(_connection, UniqueName.For("stock"), new RoomOptions { AdmitPerSeat = admitPerSeat, MaxActive = maxActive }, _time);
        for (var i = 0; i < waiting; i++)
        {
            await queue.JoinAsync($"v{i:D3}", queueOff: false);
        }

        return queue;
    }

    [Theory]
    [InlineData(2.0, 7L, 14)]
    [InlineData(1.5, 7L, 11)]
    [InlineData(1.1, 10L, 11)]
    [InlineData(0.5, 3L, 2)]
    [InlineData(2.0, 0L, 0)]
    public async Task Admit_NeverLetsTheActiveExceed_CeilOfAdmitPerSeatTimesRemaining(double admitPerSeat, long remaining, int expected)
    {
        var queue = await QueueWithWaitingAsync(50, admitPerSeat);
        await queue.SetInventoryAsync(remaining, _time.GetUtcNow(), "test");

        var first = await queue.AdmitAsync(await queue.NextFenceAsync());
        var second = await queue.AdmitAsync(await queue.NextFenceAsync());

        Assert.Equal(expected, first.Admitted);
        Assert.Equal(0, second.Admitted);
        Assert.Equal(expected, first.Active);
    }

    [Fact]
    public async Task Admit_CountsTheAlreadyActive_AgainstTheBound_AndMaxActiveStillApplies()
    {
        var queue = await QueueWithWaitingAsync(50, maxActive: 8);
        await queue.AdmitAsync(await queue.NextFenceAsync(), limit: 5);

        await queue.SetInventoryAsync(3, _time.GetUtcNow(), "test"); // bound 6: one more
        var bounded = await queue.AdmitAsync(await queue.NextFenceAsync());
        await queue.SetInventoryAsync(100, _time.GetUtcNow(), "test"); // bound 200: MaxActive 8 decides
        var capped = await queue.AdmitAsync(await queue.NextFenceAsync());

        Assert.Equal(1, bounded.Admitted);
        Assert.Equal(2, capped.Admitted);
        Assert.Equal(8, capped.Active);
    }

    [Fact]
    public async Task Admit_WithAdmitPerSeatZero_OrNoInventoryKnown_IgnoresTheRule()
    {
        var off = await QueueWithWaitingAsync(20, admitPerSeat: 0);
        await off.SetInventoryAsync(0, _time.GetUtcNow(), "test");
        var unknown = await QueueWithWaitingAsync(20);

        Assert.Equal(20, (await off.AdmitAsync(await off.NextFenceAsync())).Admitted);
        Assert.Equal(20, (await unknown.AdmitAsync(await unknown.NextFenceAsync())).Admitted);
    }

    [Fact]
    public async Task SetInventory_KeepsTheLatestObservation_WhoeverReportsItLast()
    {
        var queue = await QueueWithWaitingAsync(0);
        var now = _time.GetUtcNow();

        var newer = await queue.SetInventoryAsync(5, now, "proxy-a");
        var older = await queue.SetInventoryAsync(9, now.AddMilliseconds(-200), "proxy-b");
        var snapshot = await new SwitchStore(_connection, queue.Keys, queue.Options).ReadAsync(now);

        Assert.True(newer.Applied);
        Assert.False(older.Applied);
        Assert.Equal(new InventoryView(5, now), snapshot.Inventory);
        Assert.False(snapshot.SoldOut);
    }

    [Fact]
    public async Task SoldOut_AndBack_AreAnnounced_OnceEachWay_AndAdmissionResumesInOrder()
    {
        var queue = await QueueWithWaitingAsync(10);
        var notices = new List<RoomNotice>();
        var subscriber = _connection.GetSubscriber();
        await subscriber.SubscribeAsync(queue.Keys.Notify, (_, message) =>
        {
            if (RoomNotice.TryParse(message, out var notice) && notice.Kind == RoomNoticeKind.Stock)
            {
                lock (notices)
                {
                    notices.Add(notice);
                }
            }
        });
        var now = _time.GetUtcNow();

        await queue.SetInventoryAsync(1, now, "test");
        var soldOut = await queue.SetInventoryAsync(0, now.AddSeconds(1), "test");
        await queue.SetInventoryAsync(0, now.AddSeconds(2), "test");
        var during = await queue.AdmitAsync(await queue.NextFenceAsync());
        var back = await queue.SetInventoryAsync(2, now.AddSeconds(3), "test");
        var after = await queue.AdmitAsync(await queue.NextFenceAsync());

        Assert.True(soldOut.SoldOutChanged);
        Assert.True(back.SoldOutChanged);
        Assert.Equal(0, during.Admitted);
        Assert.Equal(["v000.1", "v001.2", "v002.3", "v003.4"], after.Tickets);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && notices.Count < 2)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, notices.Count);
        await subscriber.UnsubscribeAsync(queue.Keys.Notify);
    }

    [Fact]
    public async Task ClearingTheInventory_RemovesTheBound_AndTheSoldOut()
    {
        var queue = await QueueWithWaitingAsync(5);
        await queue.SetInventoryAsync(0, _time.GetUtcNow(), "test");

        var cleared = await queue.SetInventoryAsync(null, _time.GetUtcNow().AddSeconds(-10), "admin");
        var snapshot = await new SwitchStore(_connection, queue.Keys, queue.Options).ReadAsync(_time.GetUtcNow());

        Assert.True(cleared.Applied);
        Assert.Null(snapshot.Inventory);
        Assert.Equal(5, (await queue.AdmitAsync(await queue.NextFenceAsync())).Admitted);
    }
}

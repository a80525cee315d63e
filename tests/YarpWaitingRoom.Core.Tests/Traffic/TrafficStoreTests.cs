using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Traffic;

namespace YarpWaitingRoom.Tests.Traffic;

/// <summary>What the proxies flush each second and what the admin API and the switch read back, on a real Redis.</summary>
public sealed class TrafficStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private const long Second = 1_800_000_000;
    private const int Window = 60;
    private ConnectionMultiplexer _connection = null!;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    /// <summary>A row of <paramref name="count"/> calls that each took <paramref name="each"/>.</summary>
    private static TrafficSampleRow Row(string room, string route, long count, TimeSpan each)
    {
        var buckets = new long[RateFields.LatencyBoundsMs.Length + 1];
        buckets[RateFields.BucketOf(each)] = count;
        return new TrafficSampleRow(room, route, count, each * count, buckets);
    }

    [Fact]
    public async Task FlushesOfTwoProxiesOverTwoSeconds_ReadBackPerRoute_WithCountRateMeanAndP95()
    {
        var room = UniqueName.For("room");
        var sut = new TrafficStore(_connection, [room]);

        await sut.FlushAsync([Row(room, "api", 3, TimeSpan.FromMilliseconds(3))], Second - 1);
        // Two proxies flush the same second: their counts add up.
        await sut.FlushAsync([Row(room, "api", 1, TimeSpan.FromMilliseconds(30))], Second);
        await sut.FlushAsync([Row(room, "other", 2, TimeSpan.FromMilliseconds(2))], Second);

        var routes = await sut.ReadRoutesAsync(Second, Window);

        Assert.Equal(
            [
                // 4 calls, 39 ms in all; p95 (rank 3.8) lies in the 25-50 ms bucket, 80 % in: 45 ms.
                new RouteTraffic(room, "api", 4, 0.07, 9.75, 45),
                // 2 calls of 2 ms, both in the 1-2 ms bucket: p95 at 95 % of it.
                new RouteTraffic(room, "other", 2, 0.03, 2, 1.95),
            ],
            routes);
    }

    [Fact]
    public async Task Read_CountsOnlyTheWindow_AndEveryRoom_InRoomOrder()
    {
        var (first, second) = ("a-" + UniqueName.For("room"), "b-" + UniqueName.For("room"));
        var sut = new TrafficStore(_connection, [second, first]);

        await sut.FlushAsync([Row(first, "api", 5, TimeSpan.FromMilliseconds(1)), Row(second, "api", 7, TimeSpan.FromMilliseconds(1))], Second - Window + 1);
        await sut.FlushAsync([Row(first, "api", 100, TimeSpan.FromMilliseconds(1))], Second - Window);
        await sut.FlushAsync([Row(first, "api", 100, TimeSpan.FromMilliseconds(1))], Second + 1);

        var routes = await sut.ReadRoutesAsync(Second, Window);

        Assert.Equal([(first, "api", 5L), (second, "api", 7L)], routes.Select(r => (r.Room, r.Route, r.Count)));
    }

    [Fact]
    public async Task Flush_AddsToTheTotalTheSwitchReads_AndKeepsTheHashForTheRetention()
    {
        var room = UniqueName.For("room");
        var sut = new TrafficStore(_connection, [room]);
        var keys = new RedisKeys(room);

        await sut.FlushAsync([Row(room, "api", 3, TimeSpan.FromMilliseconds(1)), Row(room, "other", 4, TimeSpan.FromMilliseconds(1))], Second);
        await sut.FlushAsync([Row(room, "api", 2, TimeSpan.FromMilliseconds(1))], Second - 1);

        var rates = await new SwitchStore(_connection, keys, new RoomOptions()).ReadRatesAsync(Second, 3);
        Assert.Equal([7L, 2L, 0L], rates);
        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(keys.Rate(Second));
        Assert.InRange(ttl!.Value, TrafficStore.RateRetention - TimeSpan.FromMinutes(1), TrafficStore.RateRetention);
    }

    [Fact]
    public async Task Flush_OfARoomTheStoreDoesNotKnow_IsRefused_AndWritesNothing()
    {
        var room = UniqueName.For("room");
        var sut = new TrafficStore(_connection, [room]);

        await Assert.ThrowsAsync<ArgumentException>(() => sut.FlushAsync([Row(room, "api", 1, TimeSpan.Zero), Row("elsewhere", "api", 1, TimeSpan.Zero)], Second));

        Assert.Empty(await sut.ReadRoutesAsync(Second, Window));
    }
}

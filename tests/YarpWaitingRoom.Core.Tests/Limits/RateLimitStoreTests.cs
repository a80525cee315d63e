using System.Net;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Limits;

/// <summary>The site-wide buckets (<c>limit.lua</c>), driven with an explicit clock.</summary>
public sealed class RateLimitStoreTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly RateLimitKeys _keys = new(UniqueName.For("limit") + ":");
    private readonly ClientNetwork _client = ClientNetwork.Of(IPAddress.Parse("203.0.113.7"), 24, 64);
    private ConnectionMultiplexer _connection = null!;

    private IDatabase Db => _connection.GetDatabase();

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    private RateLimitStore CreateSut() => new(_connection, _time);

    private RateBucket Address(int perSecond, int burst) => new(_keys.Address("join", _client), perSecond, burst);

    private RateBucket Network(int perSecond, int burst) => new(_keys.Network("join", _client), perSecond, burst);

    [Fact]
    public async Task TryTake_IdleBucket_AllowsTheBurstAtOnce_ThenOneRequestPerInterval()
    {
        var sut = CreateSut();
        RateBucket[] bucket = [Address(perSecond: 2, burst: 3)];

        var burst = new List<RateLimitVerdict>();
        for (var i = 0; i < 4; i++)
        {
            burst.Add(await sut.TryTakeAsync(bucket));
        }

        Assert.Equal([true, true, true, false], burst.Select(v => v.IsAllowed));
        Assert.Equal(new RateLimitVerdict(0, TimeSpan.FromMilliseconds(500)), burst[3]);

        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(new RateLimitVerdict(0, TimeSpan.FromMilliseconds(1)), await sut.TryTakeAsync(bucket));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await sut.TryTakeAsync(bucket)).IsAllowed);
        Assert.False((await sut.TryTakeAsync(bucket)).IsAllowed);
    }

    [Fact]
    public async Task TryTake_SustainedOverTheRate_AllowsExactlyTheRatePerSecond()
    {
        var sut = CreateSut();
        RateBucket[] bucket = [Address(perSecond: 5, burst: 10)];
        var allowed = 0;

        // 50 requests a second, one every 20 ms from 0 to 4 s: the burst, then 5 a second.
        for (var step = 0; step <= 200; step++)
        {
            allowed += (await sut.TryTakeAsync(bucket)).IsAllowed ? 1 : 0;
            _time.Advance(TimeSpan.FromMilliseconds(20));
        }

        Assert.Equal(10 + (4 * 5), allowed);
    }

    [Fact]
    public async Task TryTake_OneBucketRefuses_TakesFromNone()
    {
        var sut = CreateSut();
        RateBucket[] both = [Address(perSecond: 1, burst: 10), Network(perSecond: 1, burst: 2)];
        Assert.True((await sut.TryTakeAsync(both)).IsAllowed);
        Assert.True((await sut.TryTakeAsync(both)).IsAllowed);
        var addressBefore = await Db.StringGetAsync(both[0].Key);

        var refused = await sut.TryTakeAsync(both);

        Assert.Equal(new RateLimitVerdict(1, TimeSpan.FromSeconds(1)), refused);
        Assert.Equal(addressBefore, await Db.StringGetAsync(both[0].Key));
    }

    [Fact]
    public async Task TryTake_SetsEachKeysTtl_ToTheTimeUntilItsBucketIsFullAgain()
    {
        var sut = CreateSut();
        RateBucket[] buckets = [Address(perSecond: 1, burst: 100), Network(perSecond: 10, burst: 100)];

        for (var i = 0; i < 30; i++)
        {
            await sut.TryTakeAsync(buckets);
        }

        // 30 requests: 30 s of the address's bucket, 3 s of the network's; Redis's own clock only counts the TTL down.
        var addressTtl = await Db.KeyTimeToLiveAsync(buckets[0].Key);
        var networkTtl = await Db.KeyTimeToLiveAsync(buckets[1].Key);
        Assert.InRange(addressTtl!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
        Assert.InRange(networkTtl!.Value, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task TryTake_AfterTheBucketRefilled_AllowsTheWholeBurstAgain()
    {
        var sut = CreateSut();
        RateBucket[] bucket = [Address(perSecond: 4, burst: 4)];
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await sut.TryTakeAsync(bucket)).IsAllowed);
        }

        Assert.False((await sut.TryTakeAsync(bucket)).IsAllowed);
        _time.Advance(TimeSpan.FromSeconds(1));

        for (var i = 0; i < 4; i++)
        {
            Assert.True((await sut.TryTakeAsync(bucket)).IsAllowed);
        }

        Assert.False((await sut.TryTakeAsync(bucket)).IsAllowed);
    }

    [Fact]
    public async Task TryTake_ConcurrentRequestsFromOneClient_NeverAllowMoreThanTheBurst()
    {
        var sut = CreateSut();
        RateBucket[] bucket = [Address(perSecond: 1, burst: 25)];

        var verdicts = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => sut.TryTakeAsync(bucket)));

        Assert.Equal(25, verdicts.Count(v => v.IsAllowed));
    }

    [Fact]
    public void Keys_OfOneClient_ShareItsNetworksHashTag_AndAnotherNetworkHasItsOwn()
    {
        var other = ClientNetwork.Of(IPAddress.Parse("203.0.114.7"), 24, 64);
        var neighbour = ClientNetwork.Of(IPAddress.Parse("203.0.113.200"), 24, 64);

        var tag = HashTag(_keys.Address("join", _client));

        Assert.Equal("203.0.113.0/24", tag);
        Assert.Equal(tag, HashTag(_keys.Network("join", _client)));
        Assert.Equal(tag, HashTag(_keys.Address("new-place", neighbour)));
        Assert.NotEqual(_keys.Address("join", _client), _keys.Address("join", neighbour));
        Assert.NotEqual(_keys.Network("join", _client), _keys.Network("new-place", _client));
        Assert.Equal("203.0.114.0/24", HashTag(_keys.Network("join", other)));
    }

    /// <summary>What Redis Cluster hashes: the text between the first '{' and the next '}', when not empty.</summary>
    private static string HashTag(RedisKey key)
    {
        var text = key.ToString();
        var open = text.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : text.IndexOf('}', open + 1);
        return close > open + 1 ? text[(open + 1)..close] : text;
    }
}

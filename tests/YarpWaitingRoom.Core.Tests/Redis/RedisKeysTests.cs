using StackExchange.Redis;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Tests.Redis;

public sealed class RedisKeysTests
{
    [Fact]
    public void EveryKeyOfARoom_SharesTheRoomHashTag_SoTheRoomLivesInOneClusterSlot()
    {
        var sut = new RedisKeys("concert");
        RedisKey[] keys =
        [
            sut.Sequence, sut.Waiting, sut.Active, sut.Seen, sut.ActiveSeen, sut.State, sut.Events,
            sut.Joined, sut.Visitors, sut.UsedCode("c1"), sut.Rate(1_700_000_000), sut.Notices(29_000_000),
            sut.Gone, sut.GoneReasons, sut.Revoked, sut.Proof("0123456789abcdef0123456789abcdef"),
        ];

        foreach (var key in keys)
        {
            Assert.StartsWith("{wr:concert}:", key.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal("{wr:concert}:notify", sut.Notify.ToString());
        // Sharded Pub/Sub: in Redis Cluster the room's messages stay on the shard that owns its hash tag.
        Assert.True(sut.Notify.IsSharded);
        Assert.Equal(keys.Length, keys.Select(k => k.ToString()).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a{b")]
    [InlineData("a}b")]
    public void Constructor_RoomThatWouldBreakTheHashTag_Throws(string room) =>
        Assert.ThrowsAny<ArgumentException>(() => new RedisKeys(room));
}

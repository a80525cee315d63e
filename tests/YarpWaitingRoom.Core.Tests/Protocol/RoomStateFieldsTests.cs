using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Protocol;

public sealed class RoomStateFieldsTests(RedisFixture redis)
{
    [Fact]
    public async Task EveryFieldTheStoresAndScriptsWrite_IsDeclared()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await using var connection = await redis.ConnectAsync();
        var options = new RoomOptions { MaxActive = 1 };
        var queue = new QueueStore(connection, UniqueName.For("room"), options, time);
        var switchStore = new SwitchStore(connection, queue.Keys, options);

        await queue.JoinAsync("a", queueOff: false);
        await queue.JoinAsync("b", queueOff: false);
        await queue.AdmitAsync(await queue.NextFenceAsync());
        time.Advance(options.AdmitInterval);
        await queue.AdmitAsync(await queue.NextFenceAsync());
        await switchStore.SetModeAsync(RoomMode.On, time.GetUtcNow());
        await switchStore.SetChallengeAsync(new RoomChallenge(ChallengeMode.ProofOfWork, 12), time.GetUtcNow());
        await switchStore.SetMaxActiveAsync(2, time.GetUtcNow());
        await switchStore.SetMaxPlacesPerNetworkAsync(3, time.GetUtcNow());
        var state = await connection.GetDatabase().HashGetAllAsync(queue.Keys.State);

        Assert.NotEmpty(state);
        Assert.All(state, entry => Assert.Contains((string)entry.Name!, RoomStateFields.All));
        Assert.Equal(RoomStateFields.All.Count, RoomStateFields.All.Distinct(StringComparer.Ordinal).Count());
    }
}

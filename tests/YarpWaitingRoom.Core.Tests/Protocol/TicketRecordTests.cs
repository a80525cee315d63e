using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Protocol;

public sealed class TicketRecordTests(RedisFixture redis)
{
    [Theory]
    [InlineData("v1", 1795000000123, "/")]
    [InlineData("v-2_x.y:z", 0, "/concerts/1?seat=a|b&x=1")]
    [InlineData("v3", 5, "")]
    public void Format_ThenTryParse_GivesTheSameRecord(string visitor, long createdMs, string returnUrl)
    {
        var record = new TicketRecord(visitor, createdMs, returnUrl);

        Assert.True(TicketRecord.TryParse(record.Format(), out var read));
        Assert.Equal(record, read);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1")]
    [InlineData("v1|123")]
    [InlineData("|123|/")]
    [InlineData("v1|x|/")]
    [InlineData("v1|-1|/")]
    public void TryParse_Malformed_IsRefused(string? value) =>
        Assert.False(TicketRecord.TryParse(value, out _));

    [Fact]
    public async Task TheRecordJoinWrites_IsReadByTheCodec()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await using var connection = await redis.ConnectAsync();
        var queue = new QueueStore(connection, UniqueName.For("room"), new RoomOptions(), time);

        var join = await queue.JoinAsync("visitor-1", "/seats?a=1|2", queueOff: false);

        var stored = (string?)await connection.GetDatabase().HashGetAsync(queue.Keys.Tickets, join.Ticket);
        Assert.True(TicketRecord.TryParse(stored, out var record));
        Assert.Equal(new TicketRecord("visitor-1", time.GetUtcNow().ToUnixTimeMilliseconds(), "/seats?a=1|2"), record);
        Assert.Equal("/seats?a=1|2", await queue.ReturnUrlOfAsync(join.Ticket));
    }
}

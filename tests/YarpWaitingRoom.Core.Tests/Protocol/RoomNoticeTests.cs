using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Protocol;

public sealed class RoomNoticeTests(RedisFixture redis)
{
    public static TheoryData<string> WellFormed =>
    [
        "admitted|1795000000123|t1,t-2_x",
        "freed|1795000000123|3",
        "revoked|1795000000123|t1",
        "state|42",
    ];

    [Theory]
    [MemberData(nameof(WellFormed))]
    public void TryParse_ThenFormat_GivesTheSameMessage(string message)
    {
        Assert.True(RoomNotice.TryParse(message, out var notice));

        Assert.Equal(message, notice.Format());
    }

    [Fact]
    public void Factories_FormatWhatTryParseReadsBack()
    {
        RoomNotice[] notices =
        [
            RoomNotice.Admitted(1795000000123, ["a", "b"]),
            RoomNotice.Revoked(1795000000124, ["c"]),
            RoomNotice.Freed(1795000000125, 2),
            RoomNotice.State(7),
        ];

        foreach (var notice in notices)
        {
            Assert.True(RoomNotice.TryParse(notice.Format(), out var read));
            Assert.Equal(notice.Kind, read.Kind);
            Assert.Equal(notice.Number, read.Number);
            Assert.Equal(notice.Tickets, read.Tickets);
            Assert.Equal(notice.Count, read.Count);
        }
    }

    [Fact]
    public void TryParse_Revoked_GivesTheTimeAndEveryTicket()
    {
        Assert.True(RoomNotice.TryParse("revoked|1795000000123|t1,t-2_x", out var notice));

        Assert.Equal(RoomNoticeKind.Revoked, notice.Kind);
        Assert.Equal(1795000000123, notice.Number);
        Assert.Equal(["t1", "t-2_x"], notice.Tickets);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("unknown|1|t1")]
    [InlineData("revoked|")]
    [InlineData("revoked||t1")]
    [InlineData("revoked|-5|t1")]
    [InlineData("revoked|12x|t1")]
    [InlineData("revoked|1795000000123|")]
    [InlineData("revoked|1795000000123|,")]
    [InlineData("revoked|1795000000123")]
    [InlineData("admitted|1795000000123")]
    [InlineData("freed|1795000000123|0")]
    [InlineData("freed|1795000000123|x")]
    [InlineData("freed|1795000000123")]
    [InlineData("state|")]
    [InlineData("state|3|extra")]
    [InlineData("State|3")]
    public void TryParse_Malformed_IsRefused(string? message)
    {
        Assert.False(RoomNotice.TryParse(message, out var notice));
        Assert.Null(notice);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a|b")]
    [InlineData("a,b")]
    public void Admitted_WithATicketThatIsNotAnId_Throws(string ticket) =>
        Assert.Throws<ArgumentException>(() => RoomNotice.Admitted(1, [ticket]));

    [Fact]
    public async Task EveryMessageTheScriptsPublish_ParsesAndFormatsBackToTheSameText()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await using var connection = await redis.ConnectAsync();
        var options = new RoomOptions { MaxActive = 2 };
        var queue = new QueueStore(connection, UniqueName.For("room"), options, time);
        var switchStore = new SwitchStore(connection, queue.Keys, options);
        var messages = new List<string>();
        var channel = await connection.GetSubscriber().SubscribeAsync(queue.Keys.Notify);
        channel.OnMessage(m => { lock (messages) { messages.Add((string)m.Message!); } });

        var buyer = await queue.JoinAsync("buyer", queueOff: false);
        var leaver = await queue.JoinAsync("leaver", queueOff: false);
        await queue.AdmitAsync(await queue.NextFenceAsync());
        await queue.EndSessionAsync(buyer.Ticket, "test");
        time.Advance(options.AbandonAfter + TimeSpan.FromSeconds(1));
        await queue.ReapAsync();
        await switchStore.SetModeAsync(RoomMode.On, time.GetUtcNow());
        Assert.NotEqual(buyer.Ticket, leaver.Ticket);

        var kinds = new[] { RoomNoticeKind.Admitted, RoomNoticeKind.Freed, RoomNoticeKind.Revoked, RoomNoticeKind.State };
        for (var i = 0; i < 100 && CountOf(messages) < 6; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        lock (messages)
        {
            foreach (var message in messages)
            {
                Assert.True(RoomNotice.TryParse(message, out var notice), message);
                Assert.Equal(message, notice.Format());
            }

            Assert.All(kinds, kind => Assert.Contains(messages, m => RoomNotice.TryParse(m, out var n) && n.Kind == kind));
        }

        await channel.UnsubscribeAsync();
    }

    private static int CountOf(List<string> messages)
    {
        lock (messages)
        {
            return messages.Count;
        }
    }
}

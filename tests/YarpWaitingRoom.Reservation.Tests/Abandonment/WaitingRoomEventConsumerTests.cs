using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Abandonment;

public sealed class WaitingRoomEventConsumerTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    private const string Group = "reservation";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private ConnectionMultiplexer? _redis;

    private IDatabase Db => _redis!.GetDatabase();

    private RedisKey Stream => new RedisKeys(Room).Events;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _redis = await Redis.ConnectAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(WaitingRoomEventType.Abandoned, "abandoned")]
    [InlineData(WaitingRoomEventType.Expired, "session-expired")]
    [InlineData(WaitingRoomEventType.Ended, "session-ended")]
    public async Task VisitEndingEntry_ReleasesThatVisitorsHolds_AndNoOneElses(string type, string reason)
    {
        var app = StartApp();
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        await HoldAsync(app, "v-leaver", seats[0]);
        await HoldAsync(app, "v-leaver", seats[1]);
        await HoldAsync(app, "v-stayer", seats[2]);

        await AddEventAsync(type, "v-leaver", DateTimeOffset.UtcNow);

        Assert.True(await EventuallyAsync(async () => await ActiveHoldsAsync("v-leaver") == 0, Patience));
        Assert.Equal(2L, await CountAsync($"SELECT count(*) FROM holds WHERE visitor_id = 'v-leaver' AND end_reason = '{reason}'"));
        Assert.Equal(1L, await ActiveHoldsAsync("v-stayer"));
        Assert.Equal("available", await app.SeatStatusAsync(seats[0], Cancellation));
        Assert.True(await EventuallyAsync(async () => (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount == 0, Patience));
    }

    [Fact]
    public async Task SameEntryDeliveredTwice_ReleasesOnce()
    {
        var app = StartApp();
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        await HoldAsync(app, "v-twice", seats[0]);

        // The entry's time lies ahead, so only the inbox (not the created-before check) can stop a second release.
        var entryId = await AddEventAsync(WaitingRoomEventType.Abandoned, "v-twice", DateTimeOffset.UtcNow.AddHours(1));
        Assert.True(await EventuallyAsync(async () => await ActiveHoldsAsync("v-twice") == 0, Patience));
        await HoldAsync(app, "v-twice", seats[1]);

        // Redeliver everything: as after a restore that lost the acknowledgement.
        await Db.ExecuteAsync("XGROUP", "SETID", Stream, Group, "0");
        Assert.True(await EventuallyAsync(async () => await LastDeliveredAsync() == entryId && (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount == 0, Patience));

        Assert.Equal(1L, await ActiveHoldsAsync("v-twice"));
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM processed_events WHERE entry_id = '{entryId}'"));
    }

    [Fact]
    public async Task RestartedConsumer_ResumesEntriesItReadButNeverAcknowledged()
    {
        var setup = StartApp(new Dictionary<string, string?> { ["Reservation:WaitingRoomEvents:Enabled"] = "false" });
        var seats = await setup.AvailableSeatIdsAsync(Cancellation);
        string[] visitors = ["v-p1", "v-p2", "v-p3"];
        for (var i = 0; i < visitors.Length; i++)
        {
            await HoldAsync(setup, visitors[i], seats[i]);
        }

        await Db.StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        foreach (var visitor in visitors)
        {
            await AddEventAsync(WaitingRoomEventType.Abandoned, visitor, DateTimeOffset.UtcNow);
        }

        // "backend-x" reads the entries and dies before acknowledging them.
        var read = await Db.StreamReadGroupAsync(Stream, Group, "backend-x", StreamPosition.NewMessages, 10);
        Assert.Equal(3, read.Length);
        Assert.Equal(3L, (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount);

        StartApp(new Dictionary<string, string?>
        {
            ["Reservation:WaitingRoomEvents:Consumer"] = "backend-x",
            ["Reservation:WaitingRoomEvents:ClaimIdleAfter"] = "01:00:00",
        });

        Assert.True(await EventuallyAsync(async () => (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount == 0, Patience));
        foreach (var visitor in visitors)
        {
            Assert.Equal(0L, await ActiveHoldsAsync(visitor));
        }
    }

    [Fact]
    public async Task EntriesLeftPendingByDeadInstance_AreClaimedAndApplied()
    {
        var setup = StartApp(new Dictionary<string, string?> { ["Reservation:WaitingRoomEvents:Enabled"] = "false" });
        var seats = await setup.AvailableSeatIdsAsync(Cancellation);
        await HoldAsync(setup, "v-orphan", seats[0]);
        await Db.StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        await AddEventAsync(WaitingRoomEventType.Abandoned, "v-orphan", DateTimeOffset.UtcNow);
        Assert.Single(await Db.StreamReadGroupAsync(Stream, Group, "backend-dead", StreamPosition.NewMessages, 10));

        StartApp(new Dictionary<string, string?>
        {
            ["Reservation:WaitingRoomEvents:Consumer"] = "backend-live",
            ["Reservation:WaitingRoomEvents:ClaimIdleAfter"] = "00:00:01",
        });

        Assert.True(await EventuallyAsync(async () => await ActiveHoldsAsync("v-orphan") == 0, Patience));
        Assert.True(await EventuallyAsync(async () => (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount == 0, Patience));
    }

    [Fact]
    public async Task ConsumersOfGoneInstances_AreDeletedFromTheGroup_OnceNothingIsPending_AndNoEntryIsLost()
    {
        var setup = StartApp(new Dictionary<string, string?> { ["Reservation:WaitingRoomEvents:Enabled"] = "false" });
        var seats = await setup.AvailableSeatIdsAsync(Cancellation);
        await HoldAsync(setup, "v-left", seats[0]);
        await HoldAsync(setup, "v-later", seats[1]);
        await Db.StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        // One gone instance read and acknowledged its entry; another died with its entry pending.
        await AddEventAsync(WaitingRoomEventType.Admitted, "v-other", DateTimeOffset.UtcNow);
        var done = Assert.Single(await Db.StreamReadGroupAsync(Stream, Group, "backend-gone-done", StreamPosition.NewMessages, 10));
        await Db.StreamAcknowledgeAsync(Stream, Group, done.Id);
        await AddEventAsync(WaitingRoomEventType.Abandoned, "v-left", DateTimeOffset.UtcNow);
        Assert.Single(await Db.StreamReadGroupAsync(Stream, Group, "backend-gone-pending", StreamPosition.NewMessages, 10));
        var forgetAfter = TimeSpan.FromSeconds(1);
        await Task.Delay(forgetAfter + TimeSpan.FromMilliseconds(200), Cancellation);
        string[] gone = ["backend-gone-done", "backend-gone-pending"];

        foreach (var name in new[] { "backend-live-1", "backend-live-2" })
        {
            StartApp(new Dictionary<string, string?>
            {
                ["Reservation:WaitingRoomEvents:Consumer"] = name,
                ["Reservation:WaitingRoomEvents:ClaimIdleAfter"] = "00:00:01",
                ["Reservation:WaitingRoomEvents:ForgetConsumersAfter"] = forgetAfter.ToString("c", CultureInfo.InvariantCulture),
            });
        }

        async Task<string[]> ConsumersAsync() => [.. (await Db.StreamConsumerInfoAsync(Stream, Group)).Select(c => (string)c.Name!)];

        // The pending entry is claimed and applied first; only then does its consumer go, and the other gone one with it.
        Assert.True(await EventuallyAsync(async () => !(await ConsumersAsync()).Intersect(gone).Any(), Patience), string.Join(", ", await ConsumersAsync()));
        Assert.Equal(0L, await ActiveHoldsAsync("v-left"));
        Assert.Equal(0L, (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount);
        // The live instances go on reading whatever the clean-up did to their consumers: a new entry is applied.
        await AddEventAsync(WaitingRoomEventType.Abandoned, "v-later", DateTimeOffset.UtcNow);
        Assert.True(await EventuallyAsync(async () => await ActiveHoldsAsync("v-later") == 0, Patience), "the entry after the clean-up was not applied");
        Assert.True(await EventuallyAsync(async () => (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount == 0, Patience));
        Assert.Equal(2L, await CountAsync("SELECT count(*) FROM processed_events"));
    }

    [Fact]
    public async Task MalformedAndUnrelatedEntries_AreAcknowledged_WithoutBlockingLaterOnes()
    {
        var app = StartApp();
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        await HoldAsync(app, "v-after", seats[0]);

        await Db.StreamAddAsync(Stream, [new NameValueEntry(WaitingRoomEventFields.Type, WaitingRoomEventType.Abandoned), new NameValueEntry(WaitingRoomEventFields.Visitor, "bad visitor;")]);
        await Db.StreamAddAsync(Stream, [new NameValueEntry(WaitingRoomEventFields.Type, WaitingRoomEventType.Abandoned), new NameValueEntry(WaitingRoomEventFields.Visitor, "v-after")]);
        await Db.StreamAddAsync(Stream, [new NameValueEntry(WaitingRoomEventFields.Type, WaitingRoomEventType.Admitted), new NameValueEntry(WaitingRoomEventFields.Visitor, "v-after")]);
        await AddEventAsync(WaitingRoomEventType.Abandoned, "v-after", DateTimeOffset.UtcNow);

        Assert.True(await EventuallyAsync(async () => await ActiveHoldsAsync("v-after") == 0, Patience));
        Assert.True(await EventuallyAsync(async () => (await Db.StreamPendingAsync(Stream, Group)).PendingMessageCount == 0, Patience));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM processed_events"));
    }

    private static async Task HoldAsync(ReservationApp app, string visitor, int seatId)
    {
        using var client = app.CreateVisitorClient(visitor);
        using var response = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        _ = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    private Task<string> AddEventAsync(string type, string visitor, DateTimeOffset at) => AddEventAsync(Db, Stream, type, visitor, at);

    /// <summary>Adds an entry as the waiting room writes it; returns its id.</summary>
    internal static async Task<string> AddEventAsync(IDatabase db, RedisKey stream, string type, string visitor, DateTimeOffset at) =>
        (await db.StreamAddAsync(stream,
        [
            new NameValueEntry(WaitingRoomEventFields.Type, type),
            new NameValueEntry(WaitingRoomEventFields.Visitor, visitor),
            new NameValueEntry(WaitingRoomEventFields.Ticket, "t-" + visitor),
            new NameValueEntry(WaitingRoomEventFields.At, at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
        ])).ToString();

    private Task<long> ActiveHoldsAsync(string visitor) =>
        CountAsync($"SELECT count(*) FROM holds WHERE visitor_id = '{visitor}' AND status = 0");

    private async Task<string?> LastDeliveredAsync()
    {
        var groups = await Db.StreamGroupInfoAsync(Stream);
        return groups.Single(g => g.Name == Group).LastDeliveredId;
    }
}

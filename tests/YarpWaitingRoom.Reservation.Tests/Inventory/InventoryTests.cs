using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Events;
using WaitingRoomHeaders = YarpWaitingRoom.Protocol.WaitingRoomHeaders;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Reservation.Inventory;
using YarpWaitingRoom.Reservation.Tests.Abandonment;
using YarpWaitingRoom.Reservation.Tests.Apis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Inventory;

/// <summary>
/// What the backend tells the waiting room about the seats left: <c>X-WaitingRoom-Inventory</c> on its answers, and the
/// room's inventory written when seats come back with no answer to carry it. A demo of 6 seats.
/// </summary>
public sealed class InventoryTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    private const int Seats = 6;
    private const string AdminKey = "test-admin-key-0123456789";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ConnectionMultiplexer? _redis;

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

    private ReservationApp StartSmallDemo(Dictionary<string, string?>? settings = null, TimeProvider? timeProvider = null)
    {
        settings ??= [];
        settings["Reservation:Database:DemoSeats"] = Seats.ToString(CultureInfo.InvariantCulture);
        return StartApp(settings, timeProvider);
    }

    [Fact]
    public async Task HoldConfirmReleaseAndSeatList_CarryTheSeatsLeftOfThePerformance()
    {
        var app = StartSmallDemo();
        using var buyer = app.CreateVisitorClient("v-buyer");
        using var browser = app.CreateVisitorClient("v-browser");
        var (seatsPath, list) = await SeatListAsync(app);
        Assert.Equal(Seats, list);

        var (_, soldHold) = await HoldAsync(buyer, 1, expectedRemaining: 5);
        var (_, browsed) = await HoldAsync(browser, 2, expectedRemaining: 4);
        using var confirm = await buyer.PostAsync($"/api/holds/{soldHold}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        Assert.Equal(4, Remaining(confirm)); // held became sold: still taken
        using var release = await browser.DeleteAsync($"/api/holds/{browsed}", Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        Assert.Equal(5, Remaining(release));

        using var seatList = await browser.GetAsync(seatsPath, Cancellation);
        Assert.Equal(5, Remaining(seatList));
        var available = (await seatList.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).EnumerateArray()
            .Count(s => s.GetProperty("status").GetString() == "available");
        Assert.Equal(5, available);
    }

    [Fact]
    public async Task ConflictAnswers_CarryTheSeatsLeft_UnknownSeatsAndHoldsDoNot()
    {
        var app = StartSmallDemo();
        using var first = app.CreateVisitorClient("v-first");
        using var second = app.CreateVisitorClient("v-second");
        var (seatId, holdId) = await HoldAsync(first, 1, expectedRemaining: 5);
        using var confirm = await first.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);

        using var taken = await second.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        await ReservationApiTests.AssertProblemAsync(taken, HttpStatusCode.Conflict, ProblemTypes.SeatTaken);
        Assert.Equal(5, Remaining(taken));
        using var releaseSold = await first.DeleteAsync($"/api/holds/{holdId}", Cancellation);
        await ReservationApiTests.AssertProblemAsync(releaseSold, HttpStatusCode.Conflict, ProblemTypes.HoldConfirmed);
        Assert.Equal(5, Remaining(releaseSold));
        using var retried = await first.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(5, Remaining(retried));

        using var unknownSeat = await second.PostAsJsonAsync("/api/holds", new { seatId = 999_999 }, Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, unknownSeat.StatusCode);
        Assert.False(unknownSeat.Headers.Contains(WaitingRoomHeaders.Inventory));
        using var foreign = await second.DeleteAsync($"/api/holds/{holdId}", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.False(foreign.Headers.Contains(WaitingRoomHeaders.Inventory));
    }

    [Fact]
    public async Task LapsedHoldNotYetSwept_CountsAsFree()
    {
        var app = StartSmallDemo(
            new() { ["Reservation:Holds:Duration"] = "00:00:30", ["Reservation:Holds:SweepInterval"] = "00:10:00" },
            _time);
        using var client = app.CreateVisitorClient("v-lapsing");
        await HoldAsync(client, 1, expectedRemaining: 5);

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM holds WHERE status = 0")); // not swept
        var (_, listed) = await SeatListAsync(app);
        Assert.Equal(Seats, listed);
        await HoldAsync(client, 2, expectedRemaining: Seats - 1);
    }

    [Fact]
    public async Task Sweeper_EndingLapsedHolds_WritesTheSeatsLeftToTheRoom_StampedWithTheCount()
    {
        var app = StartSmallDemo(
            new() { ["Reservation:Holds:Duration"] = "00:00:30", ["Reservation:Holds:SweepInterval"] = "00:00:05" },
            _time);
        using var client = app.CreateVisitorClient("v-sweep");
        await HoldAsync(client, 1, expectedRemaining: 5);
        await HoldAsync(client, 2, expectedRemaining: 4);
        Assert.False(await Db.KeyExistsAsync(InventoryKey)); // answers carry the header; nothing is written directly

        _time.Advance(TimeSpan.FromSeconds(35));

        Assert.True(await EventuallyAsync(async () => await Db.KeyExistsAsync(InventoryKey), Patience));
        var written = await Db.HashGetAllAsync(InventoryKey);
        Assert.Equal(Seats.ToString(CultureInfo.InvariantCulture), Field(written, "remaining"));
        Assert.Equal(InventoryPublisher.Source, Field(written, "source"));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), Field(written, "at"));
    }

    [Fact]
    public async Task AbandonedVisitorsHoldsReleased_WritesTheSeatsLeftToTheRoom()
    {
        var app = StartSmallDemo();
        using var leaver = app.CreateVisitorClient("v-leaver");
        using var stayer = app.CreateVisitorClient("v-stayer");
        await HoldAsync(leaver, 1, expectedRemaining: 5);
        await HoldAsync(leaver, 2, expectedRemaining: 4);
        await HoldAsync(stayer, 3, expectedRemaining: 3);

        await WaitingRoomEventConsumerTests.AddEventAsync(Db, new RedisKeys(Room).Events, WaitingRoomEventType.Abandoned, "v-leaver", DateTimeOffset.UtcNow);

        Assert.True(await EventuallyAsync(async () => (string?)await Db.HashGetAsync(InventoryKey, "remaining") == "5", Patience));
    }

    [Fact]
    public async Task AdminReset_WritesEverySeatFreeToTheRoom()
    {
        var app = StartSmallDemo(new() { ["Reservation:Admin:Key"] = AdminKey });
        using var client = app.CreateVisitorClient("v-rehearsal");
        await HoldAsync(client, 1, expectedRemaining: 5);
        await SetInventoryAsync(1, DateTimeOffset.UtcNow.AddSeconds(-5));

        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add(AdminKeyFilter.HeaderName, AdminKey);
        using var reset = await admin.PostAsync("/admin/reset", content: null, Cancellation);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(Seats.ToString(CultureInfo.InvariantCulture), (string?)await Db.HashGetAsync(InventoryKey, "remaining"));
    }

    [Fact]
    public async Task Disabled_NoHeaderAndNothingWritten()
    {
        var app = StartSmallDemo(new() { ["Reservation:Inventory:Enabled"] = "false", ["Reservation:Admin:Key"] = AdminKey });
        using var client = app.CreateVisitorClient("v-quiet");
        var seatId = (await app.AvailableSeatIdsAsync(Cancellation))[0];
        using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        Assert.False(hold.Headers.Contains(WaitingRoomHeaders.Inventory));
        var (seatsPath, _) = await SeatListAsync(app, expectHeader: false);
        using var list = await client.GetAsync(seatsPath, Cancellation);
        Assert.False(list.Headers.Contains(WaitingRoomHeaders.Inventory));

        using var admin = app.CreateClient();
        admin.DefaultRequestHeaders.Add(AdminKeyFilter.HeaderName, AdminKey);
        using var reset = await admin.PostAsync("/admin/reset", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.False(await Db.KeyExistsAsync(InventoryKey));
    }

    [Fact]
    public async Task CountFailing_LeavesTheHeaderOut_AndTheAnswersStand()
    {
        var app = StartSmallDemo();
        using var client = app.CreateVisitorClient("v-unlucky");
        var seatId = (await app.AvailableSeatIdsAsync(Cancellation))[0];
        // A real failure of the count alone: it reads performances, which holding, confirming and releasing never touch.
        await ExecuteAsync("ALTER TABLE performances RENAME TO performances_away");

        using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        Assert.False(hold.Headers.Contains(WaitingRoomHeaders.Inventory));
        var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
        using var confirm = await client.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        Assert.False(confirm.Headers.Contains(WaitingRoomHeaders.Inventory));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM reservations"));
    }

    [Fact]
    public async Task DemoSeats_SeedsThatManySeats_InTheSameOrderEveryTime()
    {
        var app = StartSmallDemo();

        using var client = app.CreateVisitorClient("v-seats");
        var (seatsPath, _) = await SeatListAsync(app);
        var seats = (await client.GetFromJsonAsync<JsonElement>(seatsPath, Cancellation)).EnumerateArray()
            .Select(s => $"{s.GetProperty("section").GetString()}-{s.GetProperty("row").GetString()}-{s.GetProperty("number").GetInt32()}")
            .ToArray();

        Assert.Equal(["A-01-1", "A-01-2", "A-01-3", "A-01-4", "A-01-5", "A-01-6"], seats);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("20001")]
    public void DemoSeats_OutOfRange_FailsStart(string seats)
    {
        var app = CreateApp(new Dictionary<string, string?> { ["Reservation:Database:DemoSeats"] = seats });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains("DemoSeats", error.Message, StringComparison.Ordinal);
    }

    private IDatabase Db => _redis!.GetDatabase();

    private RedisKey InventoryKey => new RedisKeys(Room).Inventory;

    private Task SetInventoryAsync(int remaining, DateTimeOffset at) =>
        Db.HashSetAsync(InventoryKey, [new("remaining", remaining), new("at", at.ToUnixTimeMilliseconds()), new("source", "test")]);

    private static string? Field(HashEntry[] entries, string name) => entries.Single(e => e.Name == name).Value;

    private static int? Remaining(HttpResponseMessage response) =>
        response.Headers.TryGetValues(WaitingRoomHeaders.Inventory, out var values)
            ? int.Parse(Assert.Single(values), NumberStyles.None, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Holds the <paramref name="nth"/> seat of the demo (1-based) and checks the header; returns the seat and the hold.</summary>
    private static async Task<(int SeatId, Guid HoldId)> HoldAsync(HttpClient client, int nth, int expectedRemaining)
    {
        var seatId = await NthSeatAsync(client, nth);
        using var response = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(expectedRemaining, Remaining(response));
        return (seatId, (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid());
    }

    private static async Task<int> NthSeatAsync(HttpClient client, int nth)
    {
        var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", Cancellation);
        var path = $"/api/concerts/{concerts[0].GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture)}/seats";
        var seats = await client.GetFromJsonAsync<JsonElement>(path, Cancellation);
        return seats[nth - 1].GetProperty("id").GetInt32();
    }

    /// <summary>The demo concert's seat-list path, and the header of its answer (checked present unless <paramref name="expectHeader"/> is false).</summary>
    private static async Task<(string Path, int? Remaining)> SeatListAsync(ReservationApp app, bool expectHeader = true)
    {
        using var client = app.CreateVisitorClient("seat-lister");
        var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", Cancellation);
        var path = $"/api/concerts/{concerts[0].GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture)}/seats";
        using var response = await client.GetAsync(path, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var remaining = Remaining(response);
        Assert.Equal(expectHeader, remaining is not null);
        return (path, remaining);
    }
}

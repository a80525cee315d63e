using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Reservation.Tests.Apis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Holds;

public sealed class HoldExpiryTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private ReservationApp StartShortHoldApp() => StartApp(
        new Dictionary<string, string?>
        {
            ["Reservation:Holds:Duration"] = "00:00:30",
            ["Reservation:Holds:SweepInterval"] = "00:00:05",
        },
        _time);

    [Fact]
    public async Task ExpiredHold_FreesSeat_AndItsConfirmIsRefused()
    {
        var app = StartShortHoldApp();
        using var first = app.CreateVisitorClient("v-slow");
        using var second = app.CreateVisitorClient("v-quick");
        var seatId = (await app.AvailableSeatIdsAsync(Cancellation))[0];
        using var hold = await first.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
        using var tooEarly = await second.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal("available", await app.SeatStatusAsync(seatId, Cancellation));
        using var late = await first.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        await ReservationApiTests.AssertProblemAsync(late, HttpStatusCode.Conflict, ProblemTypes.HoldExpired);
        using var retaken = await second.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, retaken.StatusCode);
        using var stillLate = await first.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        await ReservationApiTests.AssertProblemAsync(stillLate, HttpStatusCode.Conflict, ProblemTypes.HoldExpired);
    }

    [Fact]
    public async Task ExpiredHold_TakenAgainWithoutConfirmAttempt_SucceedsAndMarksOldHoldExpired()
    {
        var app = StartShortHoldApp();
        using var first = app.CreateVisitorClient("v-gone");
        using var second = app.CreateVisitorClient("v-next");
        var seatId = (await app.AvailableSeatIdsAsync(Cancellation))[0];
        using var hold = await first.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);

        _time.Advance(TimeSpan.FromSeconds(30));
        using var retaken = await second.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);

        Assert.Equal(HttpStatusCode.Created, retaken.StatusCode);
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM holds WHERE seat_id = {seatId} AND status = 3 AND end_reason = 'expired'"));
    }

    [Fact]
    public async Task Sweeper_MarksLapsedHoldsExpired_InTheBackground()
    {
        var app = StartShortHoldApp();
        using var client = app.CreateVisitorClient("v-sweep");
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        for (var i = 0; i < 3; i++)
        {
            using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[i] }, Cancellation);
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM holds WHERE status = 3"));
        _time.Advance(TimeSpan.FromSeconds(35));

        Assert.True(await EventuallyAsync(async () => await CountAsync("SELECT count(*) FROM holds WHERE status = 3") == 3, TimeSpan.FromSeconds(10)));
    }

}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Apis;

public sealed class ReservationApiTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    [Fact]
    public async Task Concerts_ListsSeededConcert_WithItsPerformanceAndSeats()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-concerts");

        var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", Cancellation);

        var concert = Assert.Single(concerts.EnumerateArray());
        var performance = Assert.Single(concert.GetProperty("performances").EnumerateArray());
        Assert.True(performance.GetProperty("seats").GetInt32() >= 2000);
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        Assert.Equal(performance.GetProperty("seats").GetInt32(), seats.Length);
    }

    [Fact]
    public async Task HoldThenConfirm_SellsSeat_AndAsksProxyToEndSession()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-buyer");
        var seatId = (await app.AvailableSeatIdsAsync(Cancellation))[0];

        using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        var holdBody = await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal(seatId, holdBody.GetProperty("seatId").GetInt32());
        Assert.True(holdBody.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(4));
        Assert.Equal("held", await app.SeatStatusAsync(seatId, Cancellation));

        var holdId = holdBody.GetProperty("id").GetGuid();
        using var confirm = await client.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        Assert.Equal("end-session", Assert.Single(confirm.Headers.GetValues(YarpWaitingRoom.Protocol.WaitingRoomHeaders.Command)));
        Assert.Equal("sold", await app.SeatStatusAsync(seatId, Cancellation));

        using var retry = await client.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var first = await confirm.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var second = await retry.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal(first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid());

        using var other = app.CreateVisitorClient("v-late");
        using var late = await other.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        await AssertProblemAsync(late, HttpStatusCode.Conflict, ProblemTypes.SeatTaken);
    }

    [Fact]
    public async Task ConfirmingSeveralHolds_EndsTheSessionOnlyWithTheLast_SoNoneOfTheOthersIsReleased()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-family");
        var seatIds = (await app.AvailableSeatIdsAsync(Cancellation))[..3];
        var holdIds = new List<Guid>();
        foreach (var seatId in seatIds)
        {
            using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
            holdIds.Add((await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid());
        }

        var ended = new List<bool>();
        foreach (var holdId in holdIds)
        {
            using var confirm = await client.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
            Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
            ended.Add(confirm.Headers.Contains(YarpWaitingRoom.Protocol.WaitingRoomHeaders.Command));
        }

        using var retry = await client.PostAsync($"/api/holds/{holdIds[0]}/confirm", content: null, Cancellation);

        Assert.Equal([false, false, true], ended);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.True(retry.Headers.Contains(YarpWaitingRoom.Protocol.WaitingRoomHeaders.Command), "a retried confirm with nothing left open ends the session");
        foreach (var seatId in seatIds)
        {
            Assert.Equal("sold", await app.SeatStatusAsync(seatId, Cancellation));
        }
    }

    [Fact]
    public async Task ReleaseHold_FreesSeat_AndIsRefusedForOtherVisitors()
    {
        var app = StartApp();
        using var owner = app.CreateVisitorClient("v-owner");
        using var stranger = app.CreateVisitorClient("v-stranger");
        var seatId = (await app.AvailableSeatIdsAsync(Cancellation))[0];
        using var hold = await owner.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();

        using var foreignRelease = await stranger.DeleteAsync($"/api/holds/{holdId}", Cancellation);
        await AssertProblemAsync(foreignRelease, HttpStatusCode.NotFound, ProblemTypes.HoldNotFound);
        using var foreignConfirm = await stranger.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        await AssertProblemAsync(foreignConfirm, HttpStatusCode.NotFound, ProblemTypes.HoldNotFound);

        using var release = await owner.DeleteAsync($"/api/holds/{holdId}", Cancellation);
        Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        Assert.Equal("available", await app.SeatStatusAsync(seatId, Cancellation));

        using var confirmReleased = await owner.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        await AssertProblemAsync(confirmReleased, HttpStatusCode.Conflict, ProblemTypes.HoldReleased);
    }

    [Theory]
    [InlineData("{\"seatId\":", "malformed JSON")]
    [InlineData("{\"seatId\":\"twelve\"}", "wrong type")]
    [InlineData("{\"seatId\":1.5}", "fraction")]
    [InlineData("{}", "missing seatId")]
    [InlineData("{\"seatId\":-3}", "negative seatId")]
    [InlineData("[1,2,3]", "array")]
    public async Task CreateHold_BadBody_Returns400Problem(string body, string because)
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-bad-body");

        using var response = await client.PostAsync("/api/holds", new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: got {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task CreateHold_OversizedBody_Returns413()
    {
        var app = StartApp(kestrel: true);
        using var client = app.CreateVisitorClient("v-big-body");
        var body = "{\"seatId\":1,\"padding\":\"" + new string('x', 64 * 1024) + "\"}";

        using var response = await client.PostAsync("/api/holds", new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task UnknownIds_Return404Problems()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-unknown");

        using var seat = await client.PostAsJsonAsync("/api/holds", new { seatId = 9_999_999 }, Cancellation);
        await AssertProblemAsync(seat, HttpStatusCode.NotFound, ProblemTypes.SeatNotFound);
        using var concert = await client.GetAsync("/api/concerts/424242/seats", Cancellation);
        await AssertProblemAsync(concert, HttpStatusCode.NotFound, ProblemTypes.ConcertNotFound);
        using var hold = await client.PostAsync($"/api/holds/{Guid.NewGuid()}/confirm", content: null, Cancellation);
        await AssertProblemAsync(hold, HttpStatusCode.NotFound, ProblemTypes.HoldNotFound);
        using var release = await client.DeleteAsync($"/api/holds/{Guid.NewGuid()}", Cancellation);
        await AssertProblemAsync(release, HttpStatusCode.NotFound, ProblemTypes.HoldNotFound);
        using var notAGuid = await client.DeleteAsync("/api/holds/not-a-guid", Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, notAGuid.StatusCode);
    }

    [Theory]
    [InlineData("/api/concerts")]
    [InlineData("/api/holds")]
    public async Task NoVisitorHeader_Returns401Problem(string path)
    {
        var app = StartApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, ProblemTypes.VisitorMissing);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789")]
    public async Task MalformedVisitorHeader_Returns400Problem(string visitor)
    {
        var app = StartApp();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/concerts");
        request.Headers.TryAddWithoutValidation("X-WaitingRoom-Visitor", visitor);

        using var response = await client.SendAsync(request, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, ProblemTypes.VisitorMalformed);
    }

    [Fact]
    public async Task CreateHold_OverVisitorLimit_Returns429Problem_AndOtherVisitorsAreUnaffected()
    {
        var app = StartApp(new Dictionary<string, string?> { ["Reservation:Holds:MaxPerVisitor"] = "2" });
        using var greedy = app.CreateVisitorClient("v-greedy");
        using var modest = app.CreateVisitorClient("v-modest");
        var seats = await app.AvailableSeatIdsAsync(Cancellation);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await greedy.PostAsJsonAsync("/api/holds", new { seatId = seats[i] }, Cancellation);
            Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        }

        using var third = await greedy.PostAsJsonAsync("/api/holds", new { seatId = seats[2] }, Cancellation);
        await AssertProblemAsync(third, HttpStatusCode.TooManyRequests, ProblemTypes.HoldLimitReached);
        using var other = await modest.PostAsJsonAsync("/api/holds", new { seatId = seats[2] }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);

        var mine = await greedy.GetFromJsonAsync<JsonElement>("/api/holds", Cancellation);
        Assert.Equal(2, mine.GetArrayLength());
    }

    [Fact]
    public async Task CreateHold_ConcurrentRequestsOfOneVisitor_NeverExceedLimit()
    {
        var app = StartApp(new Dictionary<string, string?> { ["Reservation:Holds:MaxPerVisitor"] = "3" }, kestrel: true);
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        using var client = app.CreateVisitorClient("v-burst");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[i] }, Cancellation);
            return response.StatusCode;
        }));

        Assert.Equal(3, responses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(17, responses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task DatabaseError_OtherThanUnavailability_StaysA500Problem()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-broken-schema");
        _ = await app.AvailableSeatIdsAsync(Cancellation);
        await ExecuteAsync("ALTER TABLE holds RENAME TO holds_gone");

        using var response = await client.GetAsync("/api/holds", Cancellation);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.NotEqual(ProblemTypes.DatabaseUnavailable, problem.GetProperty("type").GetString());
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }
}

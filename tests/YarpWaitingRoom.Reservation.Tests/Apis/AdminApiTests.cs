using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Apis;

/// <summary><c>POST /admin/reset</c>: every seat free again between rehearsals, behind the admin key.</summary>
public sealed class AdminApiTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    private const string AdminKey = "test-admin-key-0123456789";

    private static readonly Dictionary<string, string?> WithAdminKey = new() { ["Reservation:Admin:Key"] = AdminKey };

    private static HttpClient AdminClient(ReservationApp app, string? key = AdminKey)
    {
        var client = app.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(AdminKeyFilter.HeaderName, key);
        }

        return client;
    }

    [Fact]
    public async Task Reset_WithTheKey_FreesEverySoldAndHeldSeat_AndKeepsTheInboxOfHandledEvents()
    {
        var app = StartApp(WithAdminKey);
        var (sold, held) = await SellOneAndHoldOneAsync(app);
        await ExecuteAsync($"INSERT INTO processed_events (stream, entry_id, processed_at) VALUES ('{{wr:{Room}}}:events', '1-0', now())");
        using var admin = AdminClient(app);

        using var response = await admin.PostAsync("/admin/reset", content: null, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var freed = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        Assert.Equal((1, 1), (freed.GetProperty("sold").GetInt32(), freed.GetProperty("held").GetInt32()));
        Assert.Equal("available", await app.SeatStatusAsync(sold, Cancellation));
        Assert.Equal("available", await app.SeatStatusAsync(held, Cancellation));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM holds") + await CountAsync("SELECT count(*) FROM reservations"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM processed_events"));
        using var buyer = app.CreateVisitorClient("v-next-rehearsal");
        using var again = await buyer.PostAsJsonAsync("/api/holds", new { seatId = sold }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData(AdminKey + "x")]
    public async Task Reset_WithoutTheRightKey_Answers401_AndFreesNothing(string? key)
    {
        var app = StartApp(WithAdminKey);
        var (sold, held) = await SellOneAndHoldOneAsync(app);
        using var client = AdminClient(app, key);

        using var response = await client.PostAsync("/admin/reset", content: null, Cancellation);

        await ReservationApiTests.AssertProblemAsync(response, HttpStatusCode.Unauthorized, ProblemTypes.AdminKey);
        Assert.Equal("sold", await app.SeatStatusAsync(sold, Cancellation));
        Assert.Equal("held", await app.SeatStatusAsync(held, Cancellation));
    }

    [Fact]
    public async Task Reset_WithoutAConfiguredKey_IsNotThere()
    {
        var app = StartApp();
        using var client = AdminClient(app);

        using var response = await client.PostAsync("/admin/reset", content: null, Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Start_WithAnAdminKeyShorterThanTheProxies_Fails()
    {
        var app = CreateApp(new Dictionary<string, string?> { ["Reservation:Admin:Key"] = "short" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains("Reservation:Admin:Key", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(int Sold, int Held)> SellOneAndHoldOneAsync(ReservationApp app)
    {
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        using var client = app.CreateVisitorClient("v-rehearsal");
        using var sold = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation);
        var holdId = (await sold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();
        using var confirm = await client.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        using var held = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[1] }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, held.StatusCode);
        return (seats[0], seats[1]);
    }
}

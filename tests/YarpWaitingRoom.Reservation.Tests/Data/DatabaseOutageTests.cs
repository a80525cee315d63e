using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Events;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Reservation.Tests.Abandonment;
using YarpWaitingRoom.Reservation.Tests.Apis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Data;

/// <summary>
/// PostgreSQL really stopped (fast shutdown, as <c>docker stop</c> does) and started again. The cluster belongs to this
/// class alone, so stopping it disturbs no other test; the tests of this class run one after another.
/// </summary>
public sealed class DatabaseOutageTests(PostgresFixture postgres, RedisFixture redis, OutagePostgresFixture outage)
    : ReservationTestBase(postgres, redis), IClassFixture<OutagePostgresFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private PostgresServer Server => outage.Server;

    protected override PostgresServer DatabaseServer => Server;

    public override async ValueTask DisposeAsync()
    {
        // The next test of this class needs its database back, whatever this one did.
        await Server.ResumeAsync(CancellationToken.None);
        await Server.StartAgainAsync(CancellationToken.None);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task PostHold_WhileDatabaseIsDown_Answers503WithRetryAfter_AndSucceedsOnceItIsBack()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-outage");
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        var unavailableBefore = await MetricAsync(app, "reservation_database_unavailable_total");

        await Server.StopAsync(Cancellation);
        using (var refused = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation))
        {
            await AssertDatabaseUnavailableAsync(refused);
        }

        using (var refusedAgain = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation))
        {
            await AssertDatabaseUnavailableAsync(refusedAgain);
        }

        Assert.True(await MetricAsync(app, "reservation_database_unavailable_total") >= unavailableBefore + 2);

        await Server.StartAgainAsync(Cancellation);
        var sinceRestart = Stopwatch.StartNew();
        using var held = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, held.StatusCode);
        TestContext.Current.TestOutputHelper?.WriteLine($"First hold after the restart answered in {sinceRestart.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task EveryEndpoint_WhileDatabaseIsDown_Answers503DatabaseUnavailable()
    {
        var app = StartApp();
        using var client = app.CreateVisitorClient("v-everywhere");
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation);
        var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();

        await Server.StopAsync(Cancellation);

        HttpRequestMessage[] requests =
        [
            new(HttpMethod.Get, "/api/concerts"),
            new(HttpMethod.Get, "/api/concerts/1/seats"),
            new(HttpMethod.Get, "/api/holds"),
            new(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(new { seatId = seats[1] }) },
            new(HttpMethod.Delete, $"/api/holds/{holdId}"),
            new(HttpMethod.Post, $"/api/holds/{holdId}/confirm"),
        ];
        foreach (var request in requests)
        {
            using (request)
            using (var response = await client.SendAsync(request, Cancellation))
            {
                await AssertDatabaseUnavailableAsync(response, $"{request.Method} {request.RequestUri}");
            }
        }
    }

    [Fact]
    public async Task Readyz_WhileDatabaseIsDown_IsNotReady_AndReadyAgainAfterRestart()
    {
        var app = StartApp();
        using var client = app.CreateClient();
        _ = await app.AvailableSeatIdsAsync(Cancellation);
        Assert.True(await IsReadyAsync(client));

        await Server.StopAsync(Cancellation);
        var probe = Stopwatch.StartNew();
        using (var during = await client.GetAsync("/readyz", Cancellation))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"/readyz with PostgreSQL down answered {(int)during.StatusCode} in {probe.ElapsedMilliseconds} ms.");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Contains("\"postgres\":{\"status\":\"Unhealthy\"", await during.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        await Server.StartAgainAsync(Cancellation);
        Assert.True(await EventuallyAsync(() => IsReadyAsync(client), Patience));
    }

    [Fact]
    public async Task Readyz_WhileDatabaseHangs_AnswersNotReadyWithinSeconds()
    {
        var app = StartApp();
        using var client = app.CreateClient();
        _ = await app.AvailableSeatIdsAsync(Cancellation);

        await Server.PauseAsync(Cancellation);
        var probe = Stopwatch.StartNew();
        using (var during = await client.GetAsync("/readyz", Cancellation))
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"/readyz with PostgreSQL hanging answered {(int)during.StatusCode} in {probe.ElapsedMilliseconds} ms.");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        }

        // Far above the check's own bound, far below the 30-s command and connect timeouts it would otherwise wait out.
        Assert.True(probe.Elapsed < TimeSpan.FromSeconds(10), $"/readyz took {probe.Elapsed}");
        await Server.ResumeAsync(Cancellation);
        Assert.True(await EventuallyAsync(() => IsReadyAsync(client), Patience));
    }

    [Fact]
    public async Task FirstRequests_AfterRestartWithNoneDuringOutage_SucceedDespiteDeadPooledConnections()
    {
        var app = StartApp(kestrel: true);
        using var client = app.CreateVisitorClient("v-pooled");
        var seats = await app.AvailableSeatIdsAsync(Cancellation);

        // Many connections in the pool, each of which the restart leaves dead.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var response = await client.GetAsync("/api/holds", Cancellation);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }));

        await Server.StopAsync(Cancellation);
        await Server.StartAgainAsync(Cancellation);

        // Concurrent first requests: some lose their connection while another's pool clear is still under way.
        var statuses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            using var visitor = app.CreateVisitorClient($"v-pooled-{i}");
            using var response = await visitor.PostAsJsonAsync("/api/holds", new { seatId = seats[i] }, Cancellation);
            return response.StatusCode;
        }));
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Created, status));
        using var concerts = await client.GetAsync("/api/concerts", Cancellation);
        Assert.Equal(HttpStatusCode.OK, concerts.StatusCode);
    }

    [Fact]
    public async Task EventConsumer_WhileDatabaseIsDown_KeepsGoing_AndReleasesHoldsOnceItIsBack()
    {
        var app = StartApp();
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        using var client = app.CreateVisitorClient("v-leaves-during-outage");
        using (var hold = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        await using var redis = await Redis.ConnectAsync();
        var stream = new RedisKeys(Room).Events;
        await Server.StopAsync(Cancellation);
        await WaitingRoomEventConsumerTests.AddEventAsync(redis.GetDatabase(), stream, WaitingRoomEventType.Abandoned, "v-leaves-during-outage", DateTimeOffset.UtcNow);

        // The consumer reads the entry and fails on the database; it must keep the entry pending and keep trying.
        Assert.True(await EventuallyAsync(async () => (await redis.GetDatabase().StreamPendingAsync(stream, "reservation")).PendingMessageCount == 1, Patience));
        await Server.StartAgainAsync(Cancellation);

        Assert.True(await EventuallyAsync(
            async () => await CountAsync("SELECT count(*) FROM holds WHERE visitor_id = 'v-leaves-during-outage' AND end_reason = 'abandoned'") == 1,
            Patience));
        Assert.True(await EventuallyAsync(async () => (await redis.GetDatabase().StreamPendingAsync(stream, "reservation")).PendingMessageCount == 0, Patience));
        using var after = await client.GetAsync("/api/holds", Cancellation);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task HoldExpirySweeper_WhileDatabaseIsDown_KeepsSweeping_AndExpiresHoldsOnceItIsBack()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = StartApp(
            new Dictionary<string, string?>
            {
                ["Reservation:Holds:Duration"] = "00:00:30",
                ["Reservation:Holds:SweepInterval"] = "00:00:05",
            },
            time);
        using var client = app.CreateVisitorClient("v-lapses-during-outage");
        var seats = await app.AvailableSeatIdsAsync(Cancellation);
        using (var hold = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[0] }, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        }

        await Server.StopAsync(Cancellation);
        for (var sweep = 0; sweep < 8; sweep++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        await Server.StartAgainAsync(Cancellation);
        Assert.True(await EventuallyAsync(
            async () =>
            {
                time.Advance(TimeSpan.FromSeconds(5));
                return await CountAsync("SELECT count(*) FROM holds WHERE visitor_id = 'v-lapses-during-outage' AND end_reason = 'expired'") == 1;
            },
            Patience));
    }

    private static async Task AssertDatabaseUnavailableAsync(HttpResponseMessage response, string? request = null)
    {
        Assert.True(
            response.StatusCode == HttpStatusCode.ServiceUnavailable,
            $"{request}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Cancellation)}");
        await ReservationApiTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, ProblemTypes.DatabaseUnavailable);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter > TimeSpan.Zero, $"{request}: Retry-After is {retryAfter}");
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/readyz", Cancellation);
        return response.StatusCode == HttpStatusCode.OK;
    }

    private static async Task<double> MetricAsync(ReservationApp app, string name)
    {
        using var client = app.CreateClient();
        var text = await client.GetStringAsync("/metrics", Cancellation);
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }
}

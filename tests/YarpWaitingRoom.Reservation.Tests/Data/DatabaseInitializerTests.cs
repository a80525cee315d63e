using System.Net;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Data;

public sealed class DatabaseInitializerTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    [Fact]
    public async Task TwoInstancesStartingAtOnce_MigrateOnce_AndSeedOnce()
    {
        var apps = Enumerable.Range(0, 2).Select(_ => CreateApp()).ToArray();

        await Task.WhenAll(apps.Select(app => Task.Run(app.StartServer, Cancellation)));

        foreach (var app in apps)
        {
            using var client = app.CreateClient();
            using var ready = await client.GetAsync("/readyz", Cancellation);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM concerts"));
        Assert.Equal(2000L, await CountAsync("SELECT count(*) FROM seats"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM \"__EFMigrationsHistory\""));
    }

    [Fact]
    public async Task Readyz_ReportsEachDependency_AndHealthzNeedsNone()
    {
        var app = StartApp();
        using var client = app.CreateClient();

        using var ready = await client.GetAsync("/readyz", Cancellation);
        var body = await ready.Content.ReadAsStringAsync(Cancellation);
        using var live = await client.GetAsync("/healthz", Cancellation);
        using var metrics = await client.GetAsync("/metrics", Cancellation);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"postgres\"", body, StringComparison.Ordinal);
        Assert.Contains("\"redis\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("reservation_holds_created_total", await metrics.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }
}

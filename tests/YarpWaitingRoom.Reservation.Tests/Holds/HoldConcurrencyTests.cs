using System.Net;
using System.Net.Http.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Reservation.Tests.Holds;

public sealed class HoldConcurrencyTests(PostgresFixture postgres, RedisFixture redis) : ReservationTestBase(postgres, redis)
{
    [Fact]
    public async Task CreateHold_200ConcurrentAttemptsOnOneSeatThroughTwoInstances_ExactlyOneWins()
    {
        var instanceA = StartApp(kestrel: true);
        var instanceB = StartApp(kestrel: true);
        var seatId = (await instanceA.AvailableSeatIdsAsync(Cancellation))[0];
        var clients = Enumerable.Range(0, 200)
            .Select(i => (i % 2 == 0 ? instanceA : instanceB).CreateVisitorClient($"racer-{i}"))
            .ToArray();
        using var start = new SemaphoreSlim(0);

        var attempts = clients.Select(async client =>
        {
            await start.WaitAsync(Cancellation);
            using var response = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
            return response.StatusCode;
        }).ToArray();
        start.Release(attempts.Length);
        var statuses = await Task.WhenAll(attempts);

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(199, statuses.Count(s => s == HttpStatusCode.Conflict));
        Assert.DoesNotContain(statuses, s => (int)s >= 500);
        Assert.Equal(1L, await CountAsync($"SELECT count(*) FROM holds WHERE seat_id = {seatId} AND status IN (0, 1)"));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Confirm_RacingHoldersOfDifferentSeats_EachSeatSoldOnce()
    {
        var instanceA = StartApp(kestrel: true);
        var instanceB = StartApp(kestrel: true);
        var seats = (await instanceA.AvailableSeatIdsAsync(Cancellation)).Take(20).ToArray();

        // 40 visitors, two per seat, race to hold and then confirm through alternating instances.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var client = (i % 2 == 0 ? instanceA : instanceB).CreateVisitorClient($"buyer-{i}");
            using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId = seats[i / 2] }, Cancellation);
            if (hold.StatusCode != HttpStatusCode.Created)
            {
                return hold.StatusCode;
            }

            var holdId = (await hold.Content.ReadFromJsonAsync<HoldBody>(Cancellation))!.Id;
            using var confirm = await client.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
            return confirm.StatusCode;
        }));

        Assert.Equal(20, outcomes.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(20, outcomes.Count(s => s == HttpStatusCode.Conflict));
        Assert.Equal(20L, await CountAsync("SELECT count(DISTINCT seat_id) FROM reservations"));
        Assert.Equal(20L, await CountAsync("SELECT count(*) FROM reservations"));
    }


    private sealed record HoldBody(Guid Id);
}

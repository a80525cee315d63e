using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

public sealed class StackTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StackUp_BuysThroughInternalLbAndEdge_AdminSeesTheRoom_ThenDownLeavesNothingRunning()
    {
        var stack = StackRun.Create();
        IReadOnlyList<int> pids = [];
        try
        {
            var up = await stack.UpAsync(Cancellation);
            Assert.True(up.ExitCode == 0, "./stack up failed:\n" + up.Output);
            pids = stack.RecordedPids();
            Assert.True(pids.Count >= 11, $"expected pid files for redis, postgres, two backends, two proxies, two hubs, two nginx and prometheus; got {pids.Count}");

            using var client = new HttpClient { BaseAddress = stack.InternalLoadBalancer };
            client.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "sys-" + Guid.NewGuid().ToString("N")[..12]);

            var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", Cancellation);
            var concertId = concerts[0].GetProperty("id").GetInt32();
            var seats = await client.GetFromJsonAsync<JsonElement>($"/api/concerts/{concertId}/seats", Cancellation);
            var seatId = seats.EnumerateArray().First(s => s.GetProperty("status").GetString() == "available").GetProperty("id").GetInt32();

            using var hold = await client.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
            Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
            var holdBody = await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
            Assert.Equal(seatId, holdBody.GetProperty("seatId").GetInt32());
            Assert.True(holdBody.TryGetProperty("expiresAt", out _));

            using var confirm = await client.PostAsync($"/api/holds/{holdBody.GetProperty("id").GetGuid()}/confirm", content: null, Cancellation);
            Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
            Assert.Equal("end-session", Assert.Single(confirm.Headers.GetValues("X-WaitingRoom-Command")));

            var after = await client.GetFromJsonAsync<JsonElement>($"/api/concerts/{concertId}/seats", Cancellation);
            Assert.Equal("sold", after.EnumerateArray().Single(s => s.GetProperty("id").GetInt32() == seatId).GetProperty("status").GetString());

            await BuyThroughEdgeAsync(stack, seats);
            await AdminSeesRoomAsync(stack);
            await ResetFreesEverySeatAndEmptiesTheRoomsAsync(stack, concertId, seatId);
            await SurvivesOneOfEachPairDownAsync(stack);
        }
        finally
        {
            var down = await stack.DownAsync(CancellationToken.None);
            Assert.True(down.ExitCode == 0, "./stack down failed:\n" + down.Output);
        }

        foreach (var pid in pids)
        {
            Assert.True(await GoneAsync(pid), $"process {pid} from the stack's pid files is still running after ./stack down");
        }

        foreach (var (name, port) in stack.Ports)
        {
            Assert.False(FreePort.IsListening(port), $"{name} {port} still accepts connections after ./stack down");
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(stack.StateDirectory, "run"), "*.pid"));
        await stack.DisposeAsync();
    }

    /// <summary>Queue off, nobody waiting: a visitor is admitted on the spot, holds and confirms; the end-session command never leaks.</summary>
    private static async Task BuyThroughEdgeAsync(StackRun stack, JsonElement seats)
    {
        using var handler = new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false };
        using var edge = new HttpClient(handler) { BaseAddress = stack.Edge };
        edge.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "forged-visitor");

        using var concerts = await edge.GetAsync("/api/concerts", Cancellation);
        Assert.Equal(HttpStatusCode.OK, concerts.StatusCode);
        Assert.Contains(handler.CookieContainer.GetCookies(stack.Edge).Cast<Cookie>(), c => c.Name == "wr_concert");

        var seatId = seats.EnumerateArray().Last(s => s.GetProperty("status").GetString() == "available").GetProperty("id").GetInt32();
        using var hold = await edge.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid();

        // The forged visitor header was replaced by the proxy's own: to the backend, the hold is not the forged visitor's.
        using (var lb = new HttpClient { BaseAddress = stack.InternalLoadBalancer })
        {
            lb.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "forged-visitor");
            using var foreign = await lb.DeleteAsync($"/api/holds/{holdId}", Cancellation);
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        }

        using var confirm = await edge.PostAsync($"/api/holds/{holdId}/confirm", content: null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        Assert.False(confirm.Headers.Contains("X-WaitingRoom-Command"), "the end-session command must be stripped by the proxy");
    }

    /// <summary>
    /// <c>./stack reset</c> between rehearsals: the sold seat is free again, the room's queue and forced mode are gone, and
    /// the event stream with the backend's consumer group stays (nothing replays).
    /// </summary>
    private static async Task ResetFreesEverySeatAndEmptiesTheRoomsAsync(StackRun stack, int concertId, int soldSeatId)
    {
        using var admin = new HttpClient { BaseAddress = stack.Edge };
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        (await admin.PutAsJsonAsync("/_wr/admin/rooms/concert/mode", new { mode = "On" }, Cancellation)).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);
        using (var newcomer = new HttpClient { BaseAddress = stack.Edge })
        using (var join = new HttpRequestMessage(HttpMethod.Get, "/api/concerts"))
        {
            join.Headers.Accept.ParseAdd("application/json");
            using var queued = await newcomer.SendAsync(join, Cancellation);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, queued.StatusCode);
        }

        var reset = await stack.ResetAsync(Cancellation);
        Assert.True(reset.ExitCode == 0, "./stack reset failed:\n" + reset.Output);

        JsonElement room = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        do
        {
            room = await admin.GetFromJsonAsync<JsonElement>("/_wr/admin/rooms/concert", Cancellation);
            if (room.GetProperty("mode").GetString() == "Auto" && room.GetProperty("waiting").GetInt64() == 0)
            {
                break;
            }

            await Task.Delay(200, Cancellation);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal("Auto", room.GetProperty("mode").GetString());
        Assert.False(room.GetProperty("queueOn").GetBoolean());
        Assert.Equal(0, room.GetProperty("waiting").GetInt64());

        using var lb = new HttpClient { BaseAddress = stack.InternalLoadBalancer };
        lb.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", "after-reset");
        var seats = await lb.GetFromJsonAsync<JsonElement>($"/api/concerts/{concertId}/seats", Cancellation);
        Assert.Equal("available", seats.EnumerateArray().Single(s => s.GetProperty("id").GetInt32() == soldSeatId).GetProperty("status").GetString());
        Assert.DoesNotContain(seats.EnumerateArray(), s => s.GetProperty("status").GetString() != "available");

        var groups = await ExternalProcess.RunAsync(
            "redis-cli", ["-p", stack.Ports["STACK_REDIS_PORT"].ToString(System.Globalization.CultureInfo.InvariantCulture), "XINFO", "GROUPS", "{wr:concert}:events"],
            TimeSpan.FromSeconds(10), cancellationToken: Cancellation);
        Assert.Contains("reservation", groups.Output, StringComparison.Ordinal);
    }

    /// <summary>With proxy A, hub A and backend A gone, the edge and the internal LB route everything to the B instances.</summary>
    private static async Task SurvivesOneOfEachPairDownAsync(StackRun stack)
    {
        foreach (var name in new[] { "proxy-a", "hub-a", "backend-a" })
        {
            var pid = int.Parse(File.ReadLines(Path.Combine(stack.StateDirectory, "run", name + ".pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync(Cancellation);
        }

        using var edge = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = stack.Edge };
        for (var i = 0; i < 6; i++)
        {
            using var concerts = await edge.GetAsync("/api/concerts", Cancellation);
            Assert.Equal(HttpStatusCode.OK, concerts.StatusCode);
            using var page = await edge.GetAsync("/_wr/wait-assets/wait.js", Cancellation);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }
    }

    private static async Task AdminSeesRoomAsync(StackRun stack)
    {
        using var edge = new HttpClient { BaseAddress = stack.Edge };
        using var anonymous = await edge.GetAsync("/_wr/admin/rooms", Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        edge.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        var rooms = await edge.GetFromJsonAsync<JsonElement>("/_wr/admin/rooms", Cancellation);
        var concert = Assert.Single(rooms.EnumerateArray(), r => r.GetProperty("room").GetString() == "concert");
        Assert.Equal("Auto", concert.GetProperty("mode").GetString());
        Assert.False(concert.GetProperty("queueOn").GetBoolean());
        // The edge buyer confirmed: the backend's end-session command freed the slot at once.
        Assert.Equal(0, concert.GetProperty("active").GetInt64());
        Assert.Equal(0, concert.GetProperty("waiting").GetInt64());

        // The waiting page comes from the hub pair through the edge (a forged link: 400, in the visitor's language).
        using var page = new HttpRequestMessage(HttpMethod.Get, "/_wr/wait/concert?t=forged&return=%2F");
        page.Headers.AcceptLanguage.ParseAdd("ko-KR,ko;q=0.9");
        using var forged = await edge.SendAsync(page, Cancellation);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("lang=\"ko\"", await forged.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    private static async Task<bool> GoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Cancellation);
        }

        return !Directory.Exists($"/proc/{pid}");
    }
}

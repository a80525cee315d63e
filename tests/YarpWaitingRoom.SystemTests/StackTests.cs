using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

public sealed class StackTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StackUp_HoldAndConfirmThroughInternalLb_ThenDownLeavesNothingRunning()
    {
        var stack = StackRun.Create();
        IReadOnlyList<int> pids = [];
        try
        {
            var up = await stack.UpAsync(Cancellation);
            Assert.True(up.ExitCode == 0, "./stack up failed:\n" + up.Output);
            pids = stack.RecordedPids();
            Assert.True(pids.Count >= 5, $"expected pid files for redis, postgres, two backends and nginx; got {pids.Count}");

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

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// Selling out through the whole stack, the inventory coming from the reservation backend's own answers: the waiting are
/// each told once, nobody is admitted for seats that do not exist, a room that closes once sold out takes no new
/// place, and a released hold lets the next visitor in, in order.
/// </summary>
public sealed class SellOutTests(SellOutTopology stack) : IClassFixture<SellOutTopology>, IAsyncDisposable
{
    /// <summary>A failed test's output gets what the stack logged.</summary>
    public ValueTask DisposeAsync() => stack.Stack.ExplainFailureAsync();

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SellingOut_TellsEachWaitingSocketOnce_AdmitsNobodyForSeatsThatAreGone_ClosesTheClosingRoom_AndAReleasedHoldAdmitsTheNextInOrder()
    {
        await SetModeAsync("concert", "On");

        // A is admitted (the inventory is not known yet), enters and sees the seats: the seat list says 4 are left.
        await using var a = await EdgeVisitor.JoinAsync(stack.Edge);
        await a.ConnectAsync(stack.Edge);
        var enterUrl = await a.AdmittedAsync(Within);
        using (var enter = await a.Http.GetAsync(enterUrl, Cancellation))
        {
            Assert.Equal(HttpStatusCode.Found, enter.StatusCode);
        }

        var seats = await a.Http.GetFromJsonAsync<JsonElement>("/api/concerts/1/seats", Cancellation);
        var seatIds = seats.EnumerateArray().Select(s => s.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(SellOutTopology.Seats, seatIds.Count);

        // B, C and D wait behind, in that order.
        await SetModeAsync("concert", "Paused");
        var waiting = new List<EdgeVisitor>();
        try
        {
            foreach (var _ in Enumerable.Range(0, 3))
            {
                var visitor = await EdgeVisitor.JoinAsync(stack.Edge);
                waiting.Add(visitor);
                await visitor.ConnectAsync(stack.Edge);
            }

            Assert.True(await EventuallyAsync(() => waiting.All(v => v.Socket.Count(HubMessageKind.Position) >= 1)), "the waiting sockets got no position");

            // A holds every seat: the last hold's answer says none is left, and every waiting socket is told at once.
            var holds = new List<Guid>();
            foreach (var seatId in seatIds)
            {
                using var hold = await a.Http.PostAsJsonAsync("/api/holds", new { seatId }, Cancellation);
                Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
                Assert.False(hold.Headers.Contains("X-WaitingRoom-Inventory"), "the inventory header reached the client");
                holds.Add((await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetGuid());
            }

            var soldAt = Stopwatch.GetTimestamp();
            Assert.True(
                await EventuallyAsync(() => waiting.All(v => v.Socket.Count(HubMessageKind.SoldOut) == 1)),
                "not every waiting socket was told sold out: " + string.Join(", ", waiting.Select(v => v.Socket.Count(HubMessageKind.SoldOut))));
            var toldAfter = Stopwatch.GetElapsedTime(soldAt);

            // Admission runs again, but with nothing left nobody is admitted (ceil(2 x 0) = 0).
            await SetModeAsync("concert", "On");
            await Task.Delay(TimeSpan.FromSeconds(3), Cancellation); // three ticks
            Assert.All(waiting, v => Assert.Equal(0, v.Socket.Count(HubMessageKind.Admitted)));
            Assert.All(waiting, v => Assert.Equal(1, v.Socket.Count(HubMessageKind.SoldOut)));

            // The closing room learns the same from an answer through its own route, then takes no new place.
            await ClosedRoomRefusesNewPlacesAsync();

            // A releases one hold: one seat is back, so the bound is 2 with A active: the first waiting (B) is admitted,
            // the others are told seats came back and keep waiting in order.
            var releasedAt = Stopwatch.GetTimestamp();
            using (var release = await a.Http.DeleteAsync($"/api/holds/{holds[0]}", Cancellation))
            {
                Assert.True(release.IsSuccessStatusCode, $"release: {(int)release.StatusCode}");
            }

            await waiting[0].AdmittedAsync(Within);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"sell-out: last seat held -> every waiting socket told sold out {toldAfter.TotalMilliseconds:F0} ms; "
                + $"a hold released -> the next visitor's admission notice {Stopwatch.GetElapsedTime(releasedAt).TotalMilliseconds:F0} ms");
            Assert.True(await EventuallyAsync(() => waiting.Skip(1).All(v => v.Socket.Count(HubMessageKind.Restocked) == 1)), "C and D were not told seats came back");
            await Task.Delay(TimeSpan.FromSeconds(2), Cancellation); // two more ticks: the bound holds
            Assert.All(waiting.Skip(1), v => Assert.Equal(0, v.Socket.Count(HubMessageKind.Admitted)));
            Assert.All(waiting, v => Assert.Equal(1, v.Socket.Count(HubMessageKind.SoldOut)));
        }
        finally
        {
            foreach (var visitor in waiting)
            {
                await visitor.DisposeAsync();
            }
        }
    }

    private async Task ClosedRoomRefusesNewPlacesAsync()
    {
        // E gets in while the closing room does not know it is sold out (its queue is off): the seat list's answer tells it.
        using var e = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = stack.Edge };
        using (var first = await e.GetAsync("/closed/api/concerts/1/seats", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var newcomer = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = stack.Edge };
        HttpStatusCode refused = default;
        JsonElement problem = default;
        var deadline = DateTime.UtcNow + Within;
        while (DateTime.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/closed/api/concerts");
            request.Headers.Accept.ParseAdd("application/json");
            using var answer = await newcomer.SendAsync(request, Cancellation);
            refused = answer.StatusCode;
            if (refused == HttpStatusCode.Gone)
            {
                problem = await answer.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
                break;
            }

            await Task.Delay(200, Cancellation);
        }

        Assert.Equal(HttpStatusCode.Gone, refused);
        Assert.Equal("urn:yarp-waiting-room:problem:sold-out", problem.GetProperty("type").GetString());

        // A browser is sent to the sold-out page, which the hubs answer 410.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/closed/api/concerts");
        page.Headers.Accept.ParseAdd("text/html");
        using var diverted = await newcomer.SendAsync(page, Cancellation);
        Assert.Equal(HttpStatusCode.Found, diverted.StatusCode);
        var soldOutPage = diverted.Headers.Location!.OriginalString;
        Assert.StartsWith("/_wr/wait/closed/sold-out?return=", soldOutPage, StringComparison.Ordinal);
        using var shown = await newcomer.GetAsync(soldOutPage, Cancellation);
        Assert.Equal(HttpStatusCode.Gone, shown.StatusCode);
        Assert.Contains("data-state=\"closed\"", await shown.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);

        // Nobody took a place; E, admitted before, keeps going in.
        using var admin = AdminClient();
        var room = await admin.GetFromJsonAsync<JsonElement>("/_wr/admin/rooms/closed", Cancellation);
        Assert.Equal(0, room.GetProperty("waiting").GetInt64());
        Assert.True(room.GetProperty("soldOut").GetBoolean());
        using var again = await e.GetAsync("/closed/api/concerts", Cancellation);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    private HttpClient AdminClient()
    {
        var admin = new HttpClient { BaseAddress = stack.Edge };
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        return admin;
    }

    private async Task SetModeAsync(string room, string mode)
    {
        using var admin = AdminClient();
        using var response = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/mode", new { mode }, Cancellation);
        response.EnsureSuccessStatusCode();
        // Every proxy applies a mode change within a second (pub/sub, 1-s poll as the fallback).
        await Task.Delay(TimeSpan.FromSeconds(1.2), Cancellation);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50, Cancellation);
        }

        return true;
    }
}

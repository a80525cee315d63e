using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>
/// A scheduled sale at the gate: in the pre-queue everyone without an admission is held whatever the traffic (HTML to the
/// waiting page, API 503 with state prequeue, a receipt and the start, no position); the start draws them (the proxy's
/// own scheduler, under its lock), and each is then told its drawn position and admitted in that order.
/// </summary>
public sealed class PrequeueGateTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Prequeue_HoldsEveryoneWithTheQueueOff_WithAStableReceipt_ThenTheStartDrawsAndAdmitsInTheDrawnOrder()
    {
        await using var app = App(settings: new() { ["MaxActive"] = "1" });
        app.Settings["WaitingRoom:RateLimits:VisitorPerSecond"] = "100000";
        app.Settings["WaitingRoom:RateLimits:VisitorBurst"] = "100000";
        using var admin = AdminClient(app);

        // Admitted before the pre-queue opens (queue off): keeps passing.
        using var early = app.CreateBrowser();
        AssertStatus(HttpStatusCode.OK, await early.SendAsync(HttpMethod.Get, "/api/echo"));

        var startsAt = DateTimeOffset.UtcNow.AddSeconds(4);
        using var put = await admin.PutAsJsonAsync(
            $"/_wr/admin/rooms/{app.Room}/event",
            new { name = "Concert", prequeueOpensAt = Iso(DateTimeOffset.UtcNow.AddSeconds(-1)), startsAt = Iso(startsAt) },
            Cancellation);
        AssertStatus(HttpStatusCode.OK, put);

        var browsers = Enumerable.Range(0, 5).Select(_ => app.CreateBrowser()).ToList();
        try
        {
            var tickets = new List<string>();
            var receipts = new List<string>();
            foreach (var browser in browsers)
            {
                using var held = await browser.SendAsync(HttpMethod.Get, "/api/echo");
                AssertStatus(HttpStatusCode.ServiceUnavailable, held);
                var body = await held.JsonAsync();
                Assert.Equal("prequeue", body.GetProperty("state").GetString());
                Assert.Equal(JsonValueKind.Null, body.GetProperty("position").ValueKind);
                Assert.Equal(startsAt.ToUnixTimeMilliseconds(), body.GetProperty("startsAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
                var receipt = body.GetProperty("receipt").GetString()!;
                Assert.True(Receipts.IsValid(receipt));
                tickets.Add(body.GetProperty("ticket").GetString()!);
                receipts.Add(receipt);

                // Again: the same receipt. A browser navigation goes to the waiting page.
                using var again = await browser.SendAsync(HttpMethod.Get, "/api/echo");
                Assert.Equal(receipt, (await again.JsonAsync()).GetProperty("receipt").GetString());
                using var page = new HttpRequestMessage(HttpMethod.Get, "/api/concerts");
                page.Headers.Accept.ParseAdd("text/html");
                using var diverted = await browser.SendAsync(page, Cancellation);
                AssertStatus(HttpStatusCode.Found, diverted);
                Assert.StartsWith("/_wr/wait/", diverted.Headers.Location!.OriginalString, StringComparison.Ordinal);
            }

            Assert.Equal(5, receipts.Distinct(StringComparer.Ordinal).Count());
            using var status = await browsers[0].GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(tickets[0])}", Cancellation);
            var before = await status.JsonAsync();
            Assert.Equal("prequeue", before.GetProperty("state").GetString());
            Assert.Equal(receipts[0], before.GetProperty("receipt").GetString());
            AssertStatus(HttpStatusCode.OK, await early.SendAsync(HttpMethod.Get, "/api/echo"));

            // The start: the proxy's scheduler draws; everyone is told their drawn place with their receipt.
            var positions = new long[browsers.Count];
            Assert.True(await EventuallyAsync(async () =>
            {
                for (var i = 0; i < browsers.Count; i++)
                {
                    using var poll = await browsers[i].GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(tickets[i])}", Cancellation);
                    var body = await poll.JsonAsync();
                    if (body.GetProperty("state").GetString() != "waiting")
                    {
                        return false;
                    }

                    Assert.Equal(receipts[i], body.GetProperty("receipt").GetString());
                    positions[i] = body.GetProperty("position").GetInt64();
                }

                return true;
            }, TimeSpan.FromSeconds(15)), "the start did not place everyone");

            var stored = (await app.RoomOf().Queue.Schedule.GetAsync())!;
            var order = LotteryDraw.Order(stored.Seed, receipts);
            for (var i = 0; i < browsers.Count; i++)
            {
                Assert.Equal(Array.IndexOf(order, receipts[i]) + 1, positions[i]);
            }

            // The admitted visitor leaves: the first drawn is admitted next, by the drawn place's entry link.
            await app.Redis().KeyDeleteAsync(app.Keys().Active);
            var first = receipts.IndexOf(order[0]);
            string? enterUrl = null;
            Assert.True(await EventuallyAsync(async () =>
            {
                using var poll = await browsers[first].GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(tickets[first])}", Cancellation);
                var body = await poll.JsonAsync();
                enterUrl = body.TryGetProperty("enterUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
                return enterUrl is not null;
            }, TimeSpan.FromSeconds(15)), "the first drawn was not admitted");
            using var enter = await browsers[first].GetAsync(enterUrl, Cancellation);
            AssertStatus(HttpStatusCode.Found, enter);
            AssertStatus(HttpStatusCode.OK, await browsers[first].SendAsync(HttpMethod.Get, "/api/echo"));
        }
        finally
        {
            browsers.ForEach(b => b.Dispose());
        }
    }
}

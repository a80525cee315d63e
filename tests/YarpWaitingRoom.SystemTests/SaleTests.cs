using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Scheduling;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// A scheduled sale through the whole stack (edge, two proxies, two hubs): visitors who arrive in the pre-queue, as
/// browsers (waiting page, socket) and as API clients (503 JSON, polling), are all held with a receipt; the start draws
/// them; each is told the position the published documents give it by the draw's rule; admission goes in that order.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class SaleTests(JourneyTopology stack) : IAsyncDisposable
{
    /// <summary>A failed test's output gets what the stack logged.</summary>
    public ValueTask DisposeAsync() => stack.Stack.ExplainFailureAsync();

    private const string Room = "sale";
    private const int Browsers = 100;
    private const int ApiClients = 100;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScheduledSale_HoldsBrowsersAndApiClientsInThePrequeue_DrawsAtTheStart_AndAdmitsInThePublishedOrder()
    {
        using var admin = new HttpClient { BaseAddress = stack.Edge };
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        using (var reset = await admin.PostAsync($"/_wr/admin/rooms/{Room}/reset", null, Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        }

        var startsAt = DateTimeOffset.UtcNow.AddSeconds(25);
        using (var put = await admin.PutAsJsonAsync(
            $"/_wr/admin/rooms/{Room}/event",
            new { name = "System sale", prequeueOpensAt = Iso(DateTimeOffset.UtcNow.AddSeconds(-1)), startsAt = Iso(startsAt), order = "Lottery" },
            Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var visitors = new List<SaleVisitor>();
        try
        {
            for (var i = 0; i < Browsers + ApiClients; i++)
            {
                var visitor = await SaleVisitor.JoinAsync(stack.Edge, browser: i % 2 == 0);
                visitors.Add(visitor);
            }

            Assert.Equal(Browsers + ApiClients, visitors.Select(v => v.Receipt).Distinct(StringComparer.Ordinal).Count());
            foreach (var browser in visitors.Where(v => v.IsBrowser))
            {
                await browser.ConnectAsync(stack.Edge);
            }

            Assert.True(await EventuallyAsync(() => Task.FromResult(visitors.Where(v => v.IsBrowser).All(v => v.Socket.Count(HubMessageKind.Prequeue) > 0)), TimeSpan.FromSeconds(20)));
            Assert.All(visitors.Where(v => v.IsBrowser), v => Assert.Equal(v.Receipt, v.Socket.Last(HubMessageKind.Prequeue)!.Receipt));
            Assert.True(DateTimeOffset.UtcNow < startsAt, "joining took past the start: the test proves nothing");

            // API clients poll (a heartbeat) until just before the start; browsers heartbeat on their sockets. A round of a
            // hundred polls can outlast the time left on a loaded machine: an answer is held to "prequeue" only when it came
            // before the start (the draw runs at the start, never before), and the polls stop 3 s before it.
            while (DateTimeOffset.UtcNow < startsAt - TimeSpan.FromSeconds(3))
            {
                foreach (var api in visitors.Where(v => !v.IsBrowser).TakeWhile(_ => DateTimeOffset.UtcNow < startsAt - TimeSpan.FromSeconds(3)))
                {
                    var status = await api.StatusAsync();
                    if (DateTimeOffset.UtcNow < startsAt)
                    {
                        Assert.Equal("prequeue", status.GetProperty("state").GetString());
                    }
                }

                await Task.Delay(1000, Cancellation);
            }

            // The draw, then the public documents: the event (seed revealed) and the participants by position.
            JsonElement document = default;
            Assert.True(await EventuallyAsync(async () =>
            {
                document = await admin.GetFromJsonAsync<JsonElement>($"/_wr/rooms/{Room}/event", Cancellation);
                return document.GetProperty("state").GetString() == "drawn";
            }, TimeSpan.FromSeconds(20)), "the sale was not drawn");
            var participants = await admin.GetStringAsync($"/_wr/rooms/{Room}/event/participants", Cancellation);
            var published = participants.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonDocument.Parse(line).RootElement)
                .ToDictionary(e => e.GetProperty("receipt").GetString()!, e => e.GetProperty("position").GetInt64(), StringComparer.Ordinal);
            Assert.Equal(Browsers + ApiClients, published.Count);
            // The README's verifier, run on the two public documents as anyone would: the seed opens the commitment, the
            // digest is the participants', every position is the rule's.
            var scratch = Directory.CreateTempSubdirectory("ywr-verify-").FullName;
            try
            {
                var verified = await ReadmeVerifier.RunAsync(
                    scratch, new Uri(stack.Edge, $"/_wr/rooms/{Room}/event").ToString(), new Uri(stack.Edge, $"/_wr/rooms/{Room}/event/participants").ToString());
                Assert.True(verified.ExitCode == 0, "the README's verifier refused the draw:\n" + verified.Output);
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }

            Assert.Equal(Recompute(document, [.. published.Keys]), published.OrderBy(p => p.Value).Select(p => p.Key));

            // Every browser is pushed its drawn position at once; every API client reads it; both with their receipt.
            Assert.True(await EventuallyAsync(() => Task.FromResult(visitors.Where(v => v.IsBrowser).All(v => v.Socket.Count(HubMessageKind.Position) > 0 || v.Socket.Count(HubMessageKind.Admitted) > 0)), TimeSpan.FromSeconds(10)));
            foreach (var browser in visitors.Where(v => v.IsBrowser && v.Socket.Count(HubMessageKind.Position) > 0))
            {
                var first = browser.Socket.Messages.First(m => m.Kind == HubMessageKind.Position);
                Assert.Equal(browser.Receipt, first.Receipt);
                // Exactly the drawn position, less those admitted before the push (the first batch follows the draw at once).
                Assert.InRange(first.Position!.Value, published[browser.Receipt] - int.Parse(JourneyTopology.SaleMaxActive, CultureInfo.InvariantCulture), published[browser.Receipt]);
            }

            // Admission goes in the drawn order: whoever was admitted holds one of the first drawn positions.
            var maxActive = int.Parse(JourneyTopology.SaleMaxActive, CultureInfo.InvariantCulture);
            Assert.True(await EventuallyAsync(async () =>
            {
                var admitted = 0;
                foreach (var visitor in visitors)
                {
                    if (await visitor.IsAdmittedAsync())
                    {
                        Assert.True(published[visitor.Receipt] <= maxActive, $"{visitor.Receipt} at {published[visitor.Receipt]} admitted before the first {maxActive}");
                        admitted++;
                    }
                }

                return admitted == maxActive;
            }, TimeSpan.FromSeconds(20)), $"the first {maxActive} drawn were not all admitted");
        }
        finally
        {
            foreach (var visitor in visitors)
            {
                await visitor.DisposeAsync();
            }

            using var reset = await admin.PostAsync($"/_wr/admin/rooms/{Room}/reset", null, Cancellation);
        }
    }

    /// <summary>The draw's rule (README, Checking the draw) from the public documents: receipts in drawn order.</summary>
    private static string[] Recompute(JsonElement document, string[] receipts)
    {
        var seed = document.GetProperty("seed").GetString()!;
        Assert.True(LotteryDraw.Opens(document.GetProperty("seedCommitment").GetString()!, seed));
        Assert.Equal(LotteryDraw.Digest(receipts), document.GetProperty("digest").GetString());
        return LotteryDraw.Order(seed, receipts);
    }

    private static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250, Cancellation);
        }

        return await condition();
    }

    /// <summary>A visitor of its own address: a browser (redirected to the waiting page, then a socket) or an API client.</summary>
    private sealed class SaleVisitor : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly HttpMessageInvoker _sockets;

        private SaleVisitor(HttpClient http, System.Net.IPAddress address, bool browser, string token, string ticket, string receipt, string cookie)
        {
            _http = http;
            _sockets = new HttpMessageInvoker(SourceAddresses.From(address));
            IsBrowser = browser;
            Token = token;
            Receipt = receipt;
            Socket = new HubClient { Ticket = ticket, Token = token, Cookie = cookie };
        }

        public bool IsBrowser { get; }

        public string Token { get; }

        public string Receipt { get; }

        public HubClient Socket { get; }

        public static async Task<SaleVisitor> JoinAsync(Uri edge, bool browser)
        {
            var address = SourceAddresses.Next();
#pragma warning disable CA2000 // owned by the visitor
            var http = new HttpClient(SourceAddresses.From(address, cookies: true)) { BaseAddress = edge };
#pragma warning restore CA2000
            using var request = new HttpRequestMessage(HttpMethod.Get, "/sale/api/concerts");
            request.Headers.Accept.ParseAdd(browser ? "text/html" : "application/json");
            using var response = await http.SendAsync(request, Cancellation);
            string token;
            if (browser)
            {
                Assert.Equal(HttpStatusCode.Found, response.StatusCode);
                var query = response.Headers.Location!.OriginalString.Split('?', 2)[1];
                token = Uri.UnescapeDataString(query.Split('&').First(p => p.StartsWith("t=", StringComparison.Ordinal))[2..]);
            }
            else
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
                Assert.Equal("prequeue", body.GetProperty("state").GetString());
                token = body.GetProperty("ticket").GetString()!;
            }

            var ticket = Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])).Split('|')[3];
            var cookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("wr_vid=", StringComparison.Ordinal)).Split(';')[0];
            var visitor = new SaleVisitor(http, address, browser, token, ticket, string.Empty, cookie);
            var status = await visitor.StatusAsync();
            Assert.Equal("prequeue", status.GetProperty("state").GetString());
            var receipt = status.GetProperty("receipt").GetString()!;
            await visitor.DisposeAsync();
#pragma warning disable CA2000 // owned by the visitor
            return new SaleVisitor(new HttpClient(SourceAddresses.From(address, cookies: false)) { BaseAddress = edge, DefaultRequestHeaders = { { "Cookie", cookie } } }, address, browser, token, ticket, receipt, cookie);
#pragma warning restore CA2000
        }

        public Task ConnectAsync(Uri edge) =>
            Socket.ConnectAsync(HubClient.SocketUri(edge, Room, Token), _sockets, TimeSpan.FromSeconds(5), Cancellation);

        /// <summary>
        /// The ticket's status; a 503 a client is told to retry (<c>busy</c>: Redis slow on a loaded machine, or
        /// <c>unavailable</c>: the breaker open for a moment after a stall) is asked again after its Retry-After.
        /// </summary>
        public async Task<JsonElement> StatusAsync()
        {
            for (var attempt = 1; ; attempt++)
            {
                using var response = await _http.GetAsync($"/_wr/rooms/{Room}/tickets/{Uri.EscapeDataString(Token)}", Cancellation);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
                }

                var body = await response.Content.ReadAsStringAsync(Cancellation);
                Assert.True(
                    attempt < 5 && response.StatusCode == HttpStatusCode.ServiceUnavailable
                        && (body.Contains("problem:busy", StringComparison.Ordinal) || body.Contains("problem:unavailable", StringComparison.Ordinal)),
                    $"status {(int)response.StatusCode}: {body}");
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), Cancellation);
            }
        }

        public async Task<bool> IsAdmittedAsync() =>
            IsBrowser ? Socket.Count(HubMessageKind.Admitted) > 0 : (await StatusAsync()).GetProperty("state").GetString() == "active";

        public async ValueTask DisposeAsync()
        {
            await Socket.DisposeAsync();
            _http.Dispose();
            _sockets.Dispose();
        }
    }
}

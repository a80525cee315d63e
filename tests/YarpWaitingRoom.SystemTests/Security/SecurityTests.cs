using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.SystemTests.Faults;

namespace YarpWaitingRoom.SystemTests.Security;

/// <summary>
/// What a hostile visitor tried against the whole stack, through the edge, as regressions: each test is one finding of
/// the security review and failed on the code before it was fixed. They share the fault suite's stack (production
/// per-address limits for the visitor endpoints; every test visitor comes from an address of its own).
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class SecurityTests(FaultTopology stack)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NonAsciiHeaderValues_GetA4xxEach_AndNeverTakeTheProxiesOutOfTheEdge()
    {
        await stack.ResetAsync(Cancellation);
        using var attacker = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        }) { BaseAddress = stack.Edge };
        using var bystander = stack.Client(cookies: true);

        var attacks = new List<int>();
        var bystanders = new List<int>();
        for (var round = 0; round < 20; round++)
        {
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/concerts"))
            {
                request.Headers.TryAddWithoutValidation("X-Note", "café ☕");
                using var response = await attacker.SendAsync(request, Cancellation);
                attacks.Add((int)response.StatusCode);
            }

            using var unrelated = await bystander.GetAsync("/api/concerts", Cancellation);
            bystanders.Add((int)unrelated.StatusCode);
        }

        Assert.All(attacks, status => Assert.InRange(status, 400, 499));
        Assert.All(bystanders, status => Assert.Equal(200, status));
    }

    [Fact]
    public async Task EndedSessionsCookie_StopsAdmittingWithinASecond_OnEveryProxy()
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("Off", Cancellation);
        var address = SourceAddresses.Next();
        var handler = SourceAddresses.From(address, cookies: true);
        using var buyer = new HttpClient(handler) { BaseAddress = stack.Edge };
        using (var first = await buyer.GetAsync("/api/concerts", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var cookies = handler.CookieContainer.GetCookieHeader(stack.Edge);
        await stack.SetModeAsync("Paused", Cancellation);

        // A purchase ends the session (X-WaitingRoom-Command: end-session from the backend).
        using var hold = await buyer.PostAsJsonAsync("/api/holds", new { seatId = 7 }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, hold.StatusCode);
        var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("id").GetString();
        using var confirm = await buyer.PostAsync($"/api/holds/{holdId}/confirm", null, Cancellation);
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);

        // The old cookies, replayed (both proxies behind the edge): the room is paused, so nobody may pass.
        using var replayer = new HttpClient(SourceAddresses.From(address)) { BaseAddress = stack.Edge };
        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(new { seatId = 8 + i }) };
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Add("Cookie", cookies);
            using var response = await replayer.SendAsync(request, Cancellation);
            statuses.Add((int)response.StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(503, status));
    }

    [Fact]
    public async Task AdmissionCookieWithoutItsVisitorCookie_AdmitsNobody()
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("Off", Cancellation);
        var cookies = await AdmittedAsync();
        await stack.SetModeAsync("Paused", Cancellation);
        var admission = string.Join("; ", cookies.Split("; ").Where(c => !c.StartsWith("wr_vid=", StringComparison.Ordinal)));

        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            using var thief = new HttpClient(SourceAddresses.From(SourceAddresses.Next())) { BaseAddress = stack.Edge };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/concerts");
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Add("Cookie", admission);
            using var response = await thief.SendAsync(request, Cancellation);
            statuses.Add((int)response.StatusCode);
        }

        Assert.All(statuses, status => Assert.Equal(503, status));
    }

    [Fact]
    public async Task AnotherVisitorsEntryLinkOrTicket_HandsOverNeitherIdentityNorEntry_AndReturnUrlsStayOnTheSite()
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("On", Cancellation);
        var victim = SourceAddresses.Next();
        using var victimClient = new HttpClient(SourceAddresses.From(victim, cookies: true)) { BaseAddress = stack.Edge };
        var ticket = await QueueTicket.JoinAsync(victimClient, Cancellation);

        // The victim is admitted (the queue admits every second) and polls its ticket: its own browser gets the link.
        string? enterUrl = null;
        Assert.NotNull(await FaultTopology.UntilAsync(async () =>
        {
            var status = await victimClient.GetFromJsonAsync<JsonElement>($"/_wr/rooms/{FaultTopology.Room}/tickets/{Uri.EscapeDataString(ticket.Token)}", Cancellation);
            enterUrl = status.TryGetProperty("enterUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
            return enterUrl is not null;
        }, TimeSpan.FromSeconds(15), Cancellation));

        // A thief with the leaked ticket (it is in waitUrl and wsUrl) sees the state, not the entry link.
        using var thief = new HttpClient(SourceAddresses.From(SourceAddresses.Next())) { BaseAddress = stack.Edge };
        var seen = await thief.GetFromJsonAsync<JsonElement>($"/_wr/rooms/{FaultTopology.Room}/tickets/{Uri.EscapeDataString(ticket.Token)}", Cancellation);
        Assert.Equal("active", seen.GetProperty("state").GetString());
        Assert.False(seen.TryGetProperty("enterUrl", out var stolen) && stolen.ValueKind == JsonValueKind.String, "the thief got the entry link");

        // A thief with the victim's entry link and no cookies: refused, and no identity handed over.
        using var opened = await thief.GetAsync(enterUrl, Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, opened.StatusCode);
        Assert.False(opened.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(), "cookies were set for the thief");

        // The victim's own link with a return URL that a browser would turn into //evil.example: stays on the site.
        using var entered = await victimClient.GetAsync(enterUrl + "&return=%2F%09%2Fevil.example", Cancellation);
        Assert.Equal(HttpStatusCode.Found, entered.StatusCode);
        var location = entered.Headers.Location!.OriginalString;
        Assert.StartsWith("/", location, StringComparison.Ordinal);
        Assert.DoesNotContain(location, c => char.IsControl(c) || char.IsWhiteSpace(c));
        Assert.False(location.Length > 1 && location[1] is '/' or '\\', $"Location {location} leaves the site");
    }

    [Fact]
    public async Task Browser_FollowingAReturnUrlWithATab_StaysOnTheSite()
    {
        await stack.ResetAsync(Cancellation);
        var browser = Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser");
        var run = await Testing.ExternalProcess.RunAsync(
            "node",
            [Path.Combine(browser, "redirect.mjs")],
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = FaultTopology.Room,
            },
            browser,
            Cancellation);

        Assert.True(run.ExitCode == 0, "browser redirect check failed:\n" + run.Output);
        var result = JsonDocument.Parse(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;
        Assert.True(result.GetProperty("ok").GetBoolean(), run.Output);
    }

    [Fact]
    public async Task WaitingPageFloodFromOneAddress_GetsRateLimited_AtTheHubs()
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("Paused", Cancellation);
        using var joiner = stack.Client();
        var ticket = await QueueTicket.JoinAsync(joiner, Cancellation);
        using var flooder = new HttpClient(SourceAddresses.From(SourceAddresses.Next())) { BaseAddress = stack.Edge };

        // 400 page views from one address, 16 at a time. The limit is per address on each hub (burst 100, 20 a second),
        // and the edge spreads the requests over both hubs.
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Cancellation }, async (_, token) =>
        {
            using var page = await flooder.GetAsync($"/_wr/wait/{FaultTopology.Room}?t={Uri.EscapeDataString(ticket.Token)}", token);
            statuses.Add((int)page.StatusCode);
        });
        var allowed = Hubs * (FaultTopology.VisitorBurst + (FaultTopology.VisitorPerSecond * started.Elapsed.TotalSeconds));

        Assert.Contains(429, statuses);
        Assert.All(statuses, status => Assert.True(status is 200 or 429, $"answered {status}"));
        Assert.InRange(statuses.Count(s => s == 200), 1, (int)Math.Ceiling(allowed));
        Assert.Single(await stack.WaitingAsync());
    }

    private const int Hubs = 2;

    /// <summary>A visitor admitted on the spot (queue off) from an address of its own; its cookies as a Cookie header.</summary>
    private async Task<string> AdmittedAsync()
    {
        var handler = SourceAddresses.From(SourceAddresses.Next(), cookies: true);
        using var visitor = new HttpClient(handler) { BaseAddress = stack.Edge };
        using var first = await visitor.GetAsync("/api/concerts", Cancellation);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        return handler.CookieContainer.GetCookieHeader(stack.Edge);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>
/// The proof-of-work challenge at the gate: a visitor without a place is given a challenge instead of a ticket (503 JSON
/// to an API client, the hubs' challenge page to a browser), solves it and takes a place with the proof; each proof is
/// accepted once, across proxies; a bad proof is refused without Redis; a visitor who holds a place is never challenged;
/// the operator turns it on and up at runtime.
/// </summary>
public sealed class ChallengeGateTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const int Easy = 6;

    private ProxyApp ChallengeApp(string? room = null, int difficulty = Easy) =>
        App(mode: "Paused", room: room, settings: new() { ["Challenge"] = "ProofOfWork", ["ChallengeDifficulty"] = difficulty.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    private static async Task<JsonElement> ChallengeOfAsync(HttpResponseMessage response)
    {
        AssertStatus(HttpStatusCode.ServiceUnavailable, response);
        var body = await response.JsonAsync();
        Assert.Equal("challenge", body.GetProperty("state").GetString());
        Assert.Equal("X-WaitingRoom-Proof", body.GetProperty("proofHeader").GetString());
        return body.GetProperty("challenge");
    }

    private static string Solve(JsonElement challenge)
    {
        var prefix = challenge.GetProperty("prefix").GetString()!;
        var nonce = ProofSolver.Solve(prefix, challenge.GetProperty("difficulty").GetInt32(), cancellationToken: Cancellation).Nonce;
        return ChallengeService.FormatProof(prefix, nonce);
    }

    private static async Task<HttpResponseMessage> WithProofAsync(HttpClient client, string proof, string? cookies = null)
    {
        using var request = Api(HttpMethod.Get, "/api/echo", cookies);
        request.Headers.Add(ChallengeService.ProofHeader, proof);
        return await client.SendAsync(request, Cancellation);
    }

    [Fact]
    public async Task ApiClient_WithoutAPlace_GetsAChallenge_NotATicket_ThenSolvesIt_AndJoinsWithTheProof()
    {
        await using var app = ChallengeApp();
        using var client = app.CreateBrowser();

        using var challenged = await client.SendAsync(HttpMethod.Get, "/api/echo");
        var challenge = await ChallengeOfAsync(challenged);
        Assert.Equal("sha256-leading-zero-bits", challenge.GetProperty("algorithm").GetString());
        Assert.Equal(Easy, challenge.GetProperty("difficulty").GetInt32());
        Assert.True(challenge.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal("0", challenged.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));

        using var joined = await WithProofAsync(client, Solve(challenge));

        AssertStatus(HttpStatusCode.ServiceUnavailable, joined);
        Assert.Equal("waiting", (await joined.JsonAsync()).GetProperty("state").GetString());
        Assert.Equal(1, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
        var metrics = await app.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_challenges_issued_total{{room=\"{app.Room}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"waitingroom_challenges_solved_total{{room=\"{app.Room}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"challenged\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminRoomView_ShowsTheChallenge_AndTheEntryTallySummedOverBothProxies()
    {
        var room = RoomName();
        await using var proxyA = ChallengeApp(room);
        await using var proxyB = ChallengeApp(room);
        using var client = proxyA.CreateBrowser();
        using var challenged = await client.SendAsync(HttpMethod.Get, "/api/echo");
        using var joined = await WithProofAsync(client, Solve(await ChallengeOfAsync(challenged)));
        using var refused = await WithProofAsync(proxyB.CreateClient(), "not-a-proof");
        using var admin = AdminClient(proxyB);

        JsonElement view = default;
        Assert.True(await EventuallyAsync(async () =>
        {
            view = await (await admin.GetAsync($"/_wr/admin/rooms/{room}", Cancellation)).JsonAsync();
            var entry = view.GetProperty("entry");
            return entry.GetProperty("challengesIssued").GetInt64() == 1 && entry.GetProperty("challengesSolved").GetInt64() == 1
                && entry.GetProperty("proofsRefused").GetInt64() == 1;
        }, TimeSpan.FromSeconds(10)), view.ToString());
        Assert.Equal("ProofOfWork", view.GetProperty("challenge").GetProperty("mode").GetString());
        Assert.Equal(Easy, view.GetProperty("challenge").GetProperty("difficulty").GetInt32());
        Assert.Equal("Open", view.GetProperty("access").GetString());
        Assert.Equal(0, view.GetProperty("entry").GetProperty("proofsReplayed").GetInt64());
    }

    [Fact]
    public async Task Browser_WithoutAPlace_IsSentToTheChallengePage_WithWhereItWasGoing()
    {
        await using var app = ChallengeApp();
        using var browser = app.CreateBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/echo?seat=A1");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await browser.SendAsync(request, Cancellation);

        AssertStatus(HttpStatusCode.Found, response);
        Assert.Equal($"/_wr/wait/{app.Room}/challenge?return=%2Fapi%2Fecho%3Fseat%3DA1", response.Headers.Location?.OriginalString);
        Assert.True(response.SetCookies().ContainsKey("wr_vid"));
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Fact]
    public async Task ProofInTheSolversCookie_TakesAPlace_AndTheCookieIsCleared()
    {
        await using var app = ChallengeApp();
        using var client = app.CreateBrowser();
        using var challenged = await client.SendAsync(HttpMethod.Get, "/api/echo");
        var vid = challenged.SetCookies()["wr_vid"];
        var proof = Solve(await ChallengeOfAsync(challenged));

        using var joined = await client.SendAsync(HttpMethod.Get, "/api/echo", CookieHeader(("wr_vid", vid), (EntryCookie, proof)));

        AssertStatus(HttpStatusCode.ServiceUnavailable, joined);
        Assert.Equal("waiting", (await joined.JsonAsync()).GetProperty("state").GetString());
        Assert.Contains(joined.Headers.GetValues("Set-Cookie"), c => c.StartsWith(EntryCookie + "=;", StringComparison.Ordinal));
    }

    private const string EntryCookie = "wr_proof";

    [Fact]
    public async Task ReplayedProof_IsRefused403_OnTheOtherProxy_AndTakesNoPlace()
    {
        var room = RoomName();
        await using var proxyA = ChallengeApp(room);
        await using var proxyB = ChallengeApp(room);
        using var client = proxyA.CreateBrowser();
        using var challenged = await client.SendAsync(HttpMethod.Get, "/api/echo");
        var vid = challenged.SetCookies()["wr_vid"];
        var proof = Solve(await ChallengeOfAsync(challenged));
        using var joined = await WithProofAsync(client, proof);
        var ticket = (await joined.JsonAsync()).GetProperty("ticket").GetString()!;
        using (var leave = new HttpRequestMessage(HttpMethod.Post, $"/_wr/rooms/{room}/tickets/{Uri.EscapeDataString(ticket)}/leave"))
        {
            leave.Headers.Add("Sec-Fetch-Site", "same-origin");
            AssertStatus(HttpStatusCode.OK, await client.SendAsync(leave, Cancellation));
        }

        using var replayed = await WithProofAsync(proxyB.CreateClient(), proof, CookieHeader(("wr_vid", vid)));

        AssertStatus(HttpStatusCode.Forbidden, replayed);
        Assert.Equal("urn:yarp-waiting-room:problem:proof-replayed", (await replayed.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(0, await proxyB.Redis().SortedSetLengthAsync(proxyB.Keys().Waiting));
        var metrics = await proxyB.CreateClient().GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_proofs_refused_total{{room=\"{room}\",reason=\"replayed\"}} 1\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadProofs_AreRefusedInProcess_WithTheirProblem_EvenWhileRedisHangs()
    {
        await using var redis = await RedisServer.StartAsync(cancellationToken: Cancellation);
        var room = RoomName();
        await using var app = new ProxyApp(
            redis.ConnectionString, Backend.Address, room, new Dictionary<string, string?> { ["Mode"] = "Paused", ["Challenge"] = "ProofOfWork", ["ChallengeDifficulty"] = "12" })
            .WithProductionRedisBudget();
        using var client = app.CreateBrowser();
        using var challenged = await client.SendAsync(HttpMethod.Get, "/api/echo");
        var challenge = await ChallengeOfAsync(challenged);
        var prefix = challenge.GetProperty("prefix").GetString()!;
        var solved = Solve(challenge);
        var otherVisitors = app.Services.GetRequiredService<ChallengeService>().Issue(room, "v-someone-else", 12, DateTimeOffset.UtcNow);

        await using (await redis.FreezeAsync(Cancellation))
        {
            await AssertRefusedAsync(client, "not-a-proof", HttpStatusCode.BadRequest, "invalid-proof");
            await AssertRefusedAsync(client, prefix + ":" + Unsolved(prefix, 12), HttpStatusCode.BadRequest, "invalid-proof");
            await AssertRefusedAsync(client, prefix[..^2] + "AA:" + solved.Split(':')[1], HttpStatusCode.BadRequest, "invalid-proof");
            await AssertRefusedAsync(client, Solve(JsonSerializer.SerializeToElement(new { prefix = otherVisitors.Prefix, difficulty = 12 })), HttpStatusCode.Forbidden, "foreign-proof");
        }
    }

    private static async Task AssertRefusedAsync(HttpClient client, string proof, HttpStatusCode status, string type)
    {
        using var response = await WithProofAsync(client, proof);
        AssertStatus(status, response);
        Assert.Equal("urn:yarp-waiting-room:problem:" + type, (await response.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task VisitorWhoHoldsAPlace_IsNeverChallenged_WhenTheOperatorTurnsTheChallengeOn()
    {
        await using var app = App(mode: "Paused");
        using var holder = app.CreateBrowser();
        using var newcomer = app.CreateBrowser();
        using var queued = await holder.SendAsync(HttpMethod.Get, "/api/echo");
        var ticket = (await queued.JsonAsync()).GetProperty("ticket").GetString();
        using var admin = AdminClient(app);

        using var set = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/challenge", new { mode = "ProofOfWork", difficulty = Easy }, Cancellation);
        using var again = await holder.SendAsync(HttpMethod.Get, "/api/echo");
        using var challenged = await newcomer.SendAsync(HttpMethod.Get, "/api/echo");

        AssertStatus(HttpStatusCode.OK, set);
        var setting = await set.JsonAsync();
        Assert.Equal("ProofOfWork", setting.GetProperty("mode").GetString());
        Assert.Equal(Easy, setting.GetProperty("difficulty").GetInt32());
        AssertStatus(HttpStatusCode.ServiceUnavailable, again);
        Assert.Equal(app.TicketIdOf(ticket), app.TicketIdOf((await again.JsonAsync()).GetProperty("ticket").GetString()));
        Assert.Equal(Easy, (await ChallengeOfAsync(challenged)).GetProperty("difficulty").GetInt32());
    }

    [Fact]
    public async Task RaisedDifficulty_RefusesAnEasierChallengeIssuedBefore_WithAFreshOneAtTheNewDifficulty()
    {
        await using var app = ChallengeApp();
        using var client = app.CreateBrowser();
        using var challenged = await client.SendAsync(HttpMethod.Get, "/api/echo");
        var easy = Solve(await ChallengeOfAsync(challenged));
        using var admin = AdminClient(app);
        AssertStatus(HttpStatusCode.OK, await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/challenge", new { mode = "ProofOfWork", difficulty = Easy + 2 }, Cancellation));

        using var refused = await WithProofAsync(client, easy);

        Assert.Equal(Easy + 2, (await ChallengeOfAsync(refused)).GetProperty("difficulty").GetInt32());
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Theory]
    [InlineData("{\"mode\":\"Hard\"}", "mode")]
    [InlineData("{\"mode\":\"1\"}", "mode")]
    [InlineData("{\"mode\":\"ProofOfWork\",\"difficulty\":0}", "difficulty")]
    [InlineData("{\"mode\":\"ProofOfWork\",\"difficulty\":33}", "difficulty")]
    public async Task AdminChallenge_OutOfRange_Is400InvalidChallenge_AndChangesNothing(string body, string field)
    {
        await using var app = App(mode: "Paused");
        using var admin = AdminClient(app);

        using var response = await admin.PutAsync(
            $"/_wr/admin/rooms/{app.Room}/challenge", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Cancellation);
        using var current = await admin.GetAsync($"/_wr/admin/rooms/{app.Room}/challenge", Cancellation);

        AssertStatus(HttpStatusCode.BadRequest, response);
        var problem = await response.JsonAsync();
        Assert.Equal("urn:yarp-waiting-room:problem:invalid-challenge", problem.GetProperty("type").GetString());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal("None", (await current.JsonAsync()).GetProperty("mode").GetString());
    }

    [Fact]
    public async Task AdminChallenge_IsAppliedByAnotherProxy_WithinASecondOrTwo()
    {
        var room = RoomName();
        await using var proxyA = App(mode: "Paused", room: room);
        await using var proxyB = App(mode: "Paused", room: room);
        using var admin = AdminClient(proxyA);

        AssertStatus(HttpStatusCode.OK, await admin.PutAsJsonAsync($"/_wr/admin/rooms/{room}/challenge", new { mode = "ProofOfWork", difficulty = Easy }, Cancellation));

        Assert.True(await EventuallyAsync(async () =>
        {
            using var response = await proxyB.CreateBrowser().SendAsync(HttpMethod.Get, "/api/echo");
            return (await response.JsonAsync()).TryGetProperty("challenge", out _);
        }, TimeSpan.FromSeconds(10)));
    }

    private static string Unsolved(string prefix, int bits)
    {
        for (var counter = 0L; ; counter++)
        {
            var nonce = ProofSolver.Nonce(counter);
            if (ChallengeService.LeadingZeroBits(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(prefix + ":" + nonce))) < bits)
            {
                return nonce;
            }
        }
    }
}

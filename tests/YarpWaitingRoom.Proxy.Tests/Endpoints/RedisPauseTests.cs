using System.Net;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>
/// Redis stops answering (its private redis-server frozen by <c>SIGSTOP</c> until the answer is in, so no other test
/// waits, and no slow machine can see it answer again before the proxy gives up) while a visitor
/// calls an endpoint or a backend ends a session: every path answers at once and cleanly, a 503 problem or the backend's
/// own answer, never a 500.
/// </summary>
public sealed class RedisPauseTests : IAsyncLifetime
{
    private BackendStub _backend = null!;
    private RedisServer _redis = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await BackendStub.StartAsync();
        _redis = await RedisServer.StartAsync(cancellationToken: Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private ProxyApp App(string mode) =>
        new ProxyApp(_redis.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["Mode"] = mode }).WithProductionRedisBudget();

    [Fact]
    public async Task TicketStatus_WhileRedisIsPaused_Answers503Problem_WithRetryAfter()
    {
        await using var app = App("On");
        using var browser = app.CreateBrowser();
        using var queued = await browser.QueuedAsync();
        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        var ticket = (await queued.JsonAsync()).GetProperty("ticket").GetString()!;

        await using (await PauseAsync())
        {
            using var status = await browser.GetAsync($"/_wr/rooms/{app.Room}/tickets/{Uri.EscapeDataString(ticket)}", Cancellation);

            await AssertRedisProblemAsync(status);
        }
    }

    [Fact]
    public async Task Enter_WhileRedisIsPaused_Answers503Problem_AndSetsNoCookie()
    {
        await using var app = App("On");
        using var browser = app.CreateBrowser();
        var link = EntryLink(app, await QueuedVisitorAsync(app, browser));

        await using (await PauseAsync())
        {
            using var enter = await browser.GetAsync(link, Cancellation);

            await AssertRedisProblemAsync(enter);
            Assert.False(enter.Headers.Contains("Set-Cookie"));
            Assert.False(enter.Headers.Contains("Refresh")); // not a browser's navigation: its client decides
        }
    }

    [Fact]
    public async Task Enter_WhileRedisIsPaused_TellsTheBrowserToComeBackAfterTheWait_AndTheSameLinkThenLetsItIn()
    {
        await using var app = App("On");
        using var browser = app.CreateBrowser();
        var claims = await QueuedVisitorAsync(app, browser);
        // Admitted, as an admission batch would: the entry link then lets the browser in once Redis answers.
        await app.Redis().SortedSetAddAsync(app.Keys().Active, claims.Ticket, DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        var link = EntryLink(app, claims);
        HttpRequestMessage Navigation()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, link);
            request.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
            return request;
        }

        await using (await PauseAsync())
        {
            using var failed = await browser.SendAsync(Navigation(), Cancellation);

            await AssertRedisProblemAsync(failed);
            Assert.Equal(((int)failed.Headers.RetryAfter!.Delta!.Value.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(failed.Headers.GetValues("Refresh")));
        }

        // What the browser does after each wait it is told (Redis back, the proxy's breaker perhaps still open for a
        // moment): the same link, until it lets the browser in.
        var again = await browser.SendAsync(Navigation(), Cancellation);
        for (var ask = 1; ask < 4 && again.StatusCode == HttpStatusCode.ServiceUnavailable; ask++)
        {
            var wait = int.Parse(Assert.Single(again.Headers.GetValues("Refresh")), System.Globalization.CultureInfo.InvariantCulture);
            again.Dispose();
            await Task.Delay(TimeSpan.FromSeconds(wait), Cancellation);
            again = await browser.SendAsync(Navigation(), Cancellation);
        }

        using var landed = again;
        AssertStatus(HttpStatusCode.Redirect, again);
        Assert.False(again.Headers.Contains("Refresh"));
        Assert.Contains(again.Headers.GetValues("Set-Cookie"), c => IsAdmissionCookie(c, app.Room));
    }

    [Fact]
    public async Task AdminRoom_WhileRedisIsPaused_Answers503Problem()
    {
        await using var app = App("Auto");
        using var client = app.CreateClient();
        using var request = Api(HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}");
        request.Headers.Add(WaitingRoomHeaders.AdminKey, ProxyApp.AdminKey);

        await using (await PauseAsync())
        {
            using var room = await client.SendAsync(request, Cancellation);

            await AssertRedisProblemAsync(room);
        }
    }

    [Fact]
    public async Task AdminReset_WhileRedisIsPaused_Answers503Problem_AndTheOperatorsRetrySucceeds()
    {
        // A reset already sent when the proxy gives up may still run once Redis answers again (a Redis command cannot be
        // recalled), so a 503 means "not confirmed", not "not done": the reset is one script (whole or not at all) and
        // idempotent, so the retry the problem's Retry-After asks for is safe and settles it.
        await using var app = App("On");
        await app.RoomOf().Queue.JoinAsync("waiting", queueOff: false);
        using var admin = AdminClient(app);
        await using (await PauseAsync())
        {
            using var reset = await admin.PostAsync($"/_wr/admin/rooms/{app.Room}/reset", content: null, Cancellation);

            await AssertRedisProblemAsync(reset);
        }

        // As an operator's script does: ask again after the Retry-After each 503 names. The first retry can still meet
        // the proxy's Redis breaker, opened by the freeze's failures (seen in CI on a loaded machine): a second 503 with
        // its own Retry-After, never a 500; three asks are plenty.
        HttpResponseMessage retry;
        var asks = 0;
        while (true)
        {
            retry = await admin.PostAsync($"/_wr/admin/rooms/{app.Room}/reset", content: null, Cancellation);
            if (retry.StatusCode != HttpStatusCode.ServiceUnavailable || ++asks == 3)
            {
                break;
            }

            await AssertRedisProblemAsync(retry);
            var wait = retry.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            retry.Dispose();
            await Task.Delay(wait, Cancellation);
        }

        using var settled = retry;
        AssertStatus(HttpStatusCode.OK, settled);
        Assert.Equal(0, await app.Redis().SortedSetLengthAsync(app.Keys().Waiting));
    }

    [Fact]
    public async Task BackendEndsSession_WhileRedisIsPaused_ClientGetsTheBackendsAnswer_WithoutTheCommand_AndTheFailureIsCounted()
    {
        await using var app = App("Auto");
        using var browser = app.CreateBrowser();
        using (var admitted = await browser.SendAsync(HttpMethod.Get, "/api/echo"))
        {
            AssertStatus(HttpStatusCode.OK, admitted);
        }

        await using (await PauseAsync())
        {
            using var confirm = await browser.SendAsync(HttpMethod.Post, "/api/confirm");

            AssertStatus(HttpStatusCode.Created, confirm);
            Assert.False(confirm.Headers.Contains(WaitingRoomHeaders.Command));
            Assert.Equal(1, (await confirm.JsonAsync()).GetProperty("id").GetInt32());
            // Unchanged: the session was not ended, so the admission cookie is not cleared either.
            Assert.False(confirm.Headers.Contains("Set-Cookie"));
        }

        var metrics = await browser.GetStringAsync("/metrics", Cancellation);
        Assert.Contains($"waitingroom_session_end_failures_total{{room=\"{app.Room}\"}} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"waitingroom_sessions_ended_total{{room=\"{app.Room}\"}} 0\n", metrics, StringComparison.Ordinal);
    }

    /// <summary>Queues a visitor through <paramref name="browser"/> (the queue is on): the claims of the ticket it was given.</summary>
    private static async Task<TokenClaims> QueuedVisitorAsync(ProxyApp app, HttpClient browser)
    {
        using var queued = await browser.QueuedAsync();
        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);
        var ticket = (await queued.JsonAsync()).GetProperty("ticket").GetString();
        Assert.Equal(TokenStatus.Valid, app.Tokens().Validate(ticket, TokenKind.Ticket, app.Room, null, DateTimeOffset.UtcNow, out var claims));
        return claims!;
    }

    /// <summary>The entry link the hub hands an admitted visitor: a one-minute entry code for its ticket.</summary>
    private static string EntryLink(ProxyApp app, TokenClaims claims) =>
        $"/_wr/enter/{app.Room}?code={Uri.EscapeDataString(app.Tokens().Issue(TokenKind.EntryCode, app.Room, claims.Visitor, claims.Ticket, DateTimeOffset.UtcNow.AddMinutes(1)))}";

    /// <summary>A 503 problem of the right kind: busy (Redis answered moments ago) or unavailable (it stalled), each with its Retry-After.</summary>
    private static async Task AssertRedisProblemAsync(HttpResponseMessage response)
    {
        AssertStatus(HttpStatusCode.ServiceUnavailable, response);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var type = (await response.JsonAsync()).GetProperty("type").GetString();
        var retryAfter = type switch
        {
            ProblemTypes.Busy => TimeSpan.FromSeconds(2),
            ProblemTypes.Unavailable => TimeSpan.FromSeconds(5),
            _ => throw new Xunit.Sdk.XunitException($"problem type {type}, expected busy or unavailable"),
        };
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>Freezes the test's Redis until the result is disposed.</summary>
    private Task<IAsyncDisposable> PauseAsync() => _redis.FreezeAsync(Cancellation);
}

using System.Diagnostics;
using System.Net;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The gate when Redis is gone (the room's failure policy) or busy (shed).</summary>
public sealed class RedisFailureTests : IAsyncLifetime
{
    private BackendStub _backend = null!;

    public async ValueTask InitializeAsync() => _backend = await BackendStub.StartAsync();

    public async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    /// <summary>A proxy on <paramref name="server"/> whose room applies <paramref name="policy"/>, with the production Redis budget.</summary>
    private ProxyApp App(RedisServer server, string policy) =>
        new ProxyApp(server.ConnectionString, _backend.Address, RoomName(), new Dictionary<string, string?> { ["FailurePolicy"] = policy }).WithProductionRedisBudget();

    [Theory]
    [InlineData("Open", HttpStatusCode.OK)]
    [InlineData("Closed", HttpStatusCode.ServiceUnavailable)]
    public async Task RedisStopped_FailurePolicyDecidesWithin50Ms_AndTheGateRecoversWhenRedisReturns(string policy, HttpStatusCode whileDown)
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        await using var app = App(server, policy);
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using (var before = await client.SendAsync(HttpMethod.Get, "/api/echo"))
        {
            AssertStatus(HttpStatusCode.OK, before);
        }

        await server.StopAsync(Cancellation);
        var multiplexer = app.Services.GetService(typeof(StackExchange.Redis.IConnectionMultiplexer)) as StackExchange.Redis.IConnectionMultiplexer;
        Assert.True(await EventuallyAsync(() => Task.FromResult(!multiplexer!.IsConnected), TimeSpan.FromSeconds(10)));

        // Decided without waiting for Redis: the median of ten requests stays under 50 ms (the median, not the maximum,
        // so a scheduling hiccup on a busy 2-core CI machine does not decide the test; a client waiting for a Redis
        // timeout would take 100 ms every time).
        var decisions = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(HttpMethod.Get, "/api/echo");
            decisions.Add(Stopwatch.GetElapsedTime(started));
            AssertStatus(whileDown, response);
        }

        var median = decisions.Order().ElementAt(decisions.Count / 2);
        Assert.True(median < TimeSpan.FromMilliseconds(50), $"median decision {median.TotalMilliseconds:0.0} ms; all: {string.Join(", ", decisions.Select(d => d.TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}");

        await server.StartAsync(Cancellation);
        Assert.True(await EventuallyAsync(async () =>
        {
            using var response = await client.SendAsync(HttpMethod.Get, "/api/echo");
            return response.StatusCode == HttpStatusCode.OK && response.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => IsAdmissionCookie(c, app.Room));
        }, TimeSpan.FromSeconds(20)), "the gate did not admit again after Redis came back");
    }

    [Fact]
    public async Task RedisStopped_ClosedPolicy_AnswersTheUnavailableProblem_AndABrowsersNavigationComesBackByItself()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        await using var app = App(server, "Closed");
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        await server.StopAsync(Cancellation);
        var multiplexer = app.Services.GetService(typeof(StackExchange.Redis.IConnectionMultiplexer)) as StackExchange.Redis.IConnectionMultiplexer;
        Assert.True(await EventuallyAsync(() => Task.FromResult(!multiplexer!.IsConnected), TimeSpan.FromSeconds(10)));
        using var navigation = new HttpRequestMessage(HttpMethod.Get, "/api/echo");
        navigation.Headers.Accept.ParseAdd("text/html");

        using var api = await client.SendAsync(HttpMethod.Get, "/api/echo");
        using var page = await client.SendAsync(navigation, Cancellation);

        foreach (var response in new[] { api, page })
        {
            AssertStatus(HttpStatusCode.ServiceUnavailable, response);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
            Assert.Equal("urn:yarp-waiting-room:problem:unavailable", (await response.JsonAsync()).GetProperty("type").GetString());
        }

        Assert.False(api.Headers.Contains("Refresh"));
        Assert.Equal("5", Assert.Single(page.Headers.GetValues("Refresh")));
    }

    [Fact]
    public async Task RedisStopped_OpenPolicy_PassesEveryVisitorWithAVisitorId_TheOneOfItsCookieOrANewOne()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        await using var app = App(server, "Open");
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var known = app.Tokens().Issue(TokenKind.Visitor, string.Empty, "vknown1", string.Empty, DateTimeOffset.UtcNow.AddDays(1));
        var forged = new TokenService([new SigningKey("test", new byte[32])]).Issue(TokenKind.Visitor, string.Empty, "vforged1", string.Empty, DateTimeOffset.UtcNow.AddDays(1));

        await server.StopAsync(Cancellation);
        var multiplexer = app.Services.GetService(typeof(StackExchange.Redis.IConnectionMultiplexer)) as StackExchange.Redis.IConnectionMultiplexer;
        Assert.True(await EventuallyAsync(() => Task.FromResult(!multiplexer!.IsConnected), TimeSpan.FromSeconds(10)));
        _backend.Visitors.Clear();

        // A returning browser keeps its id (checked in process, no Redis); a new one, or a forged cookie, gets a new id.
        using var returning = await client.SendAsync(Api(HttpMethod.Get, "/api/echo", "wr_vid=" + known), Cancellation);
        using var newcomer = await client.SendAsync(Api(HttpMethod.Get, "/api/echo"), Cancellation);
        using var forger = await client.SendAsync(Api(HttpMethod.Get, "/api/echo", "wr_vid=" + forged), Cancellation);

        AssertStatus(HttpStatusCode.OK, returning);
        AssertStatus(HttpStatusCode.OK, newcomer);
        AssertStatus(HttpStatusCode.OK, forger);
        var seen = _backend.Visitors.ToArray();
        Assert.Equal(3, seen.Length);
        Assert.Equal("vknown1", seen[0]);
        Assert.All(seen[1..], visitor => Assert.Matches("^v[A-Za-z0-9_-]{8,}$", visitor!));
        Assert.NotEqual("vforged1", seen[2]);
        Assert.Contains(newcomer.Headers.GetValues("Set-Cookie"), c => c.StartsWith("wr_vid=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedisBusy_ShedsNewVisitorsWith503_InsteadOfFailingOpen_UntilItHasStalledForStallAfter()
    {
        await using var server = await RedisServer.StartAsync(cancellationToken: Cancellation);
        await using var app = App(server, "Open");
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using (var before = await client.SendAsync(HttpMethod.Get, "/api/echo"))
        {
            AssertStatus(HttpStatusCode.OK, before);
        }

        var proxied = _backend.Visitors.Count;

        // Redis stays connected but answers nobody for a while: what an overloaded Redis looks like from the gate.
        // (The control connection stays open until UNPAUSE: closing it would wait for the pause to end.)
        await using var control = await server.ConnectAsync();
        var paused = Stopwatch.GetTimestamp();
        await control.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "6000", "ALL");
        try
        {
            // Redis answered moments ago: busy. The newcomer is shed, not let through by the Open policy.
            using (var busy = await client.SendAsync(Api(HttpMethod.Get, "/api/echo"), Cancellation))
            {
                AssertStatus(HttpStatusCode.ServiceUnavailable, busy);
                Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter?.Delta);
                Assert.Equal("urn:yarp-waiting-room:problem:busy", (await busy.JsonAsync()).GetProperty("type").GetString());
            }

            Assert.True(Stopwatch.GetElapsedTime(paused) < TimeSpan.FromSeconds(2), "the busy request came too late to tell busy from stalled");
            Assert.Equal(proxied, _backend.Visitors.Count);

            // Nothing has answered for StallAfter (2 s): a hung Redis is down, and the room's policy (Open) applies.
            await Task.Delay(TimeSpan.FromSeconds(2.5) - Stopwatch.GetElapsedTime(paused), Cancellation);
            using var stalled = await client.SendAsync(Api(HttpMethod.Get, "/api/echo"), Cancellation);
            AssertStatus(HttpStatusCode.OK, stalled);
        }
        finally
        {
            await control.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");
        }

        var metrics = await client.GetStringAsync("/metrics", Cancellation);
        Assert.Matches($"waitingroom_requests_total{{room=\"{app.Room}\",route=\"[^\"]+\",outcome=\"shed\"}} 1\\b", metrics);
        Assert.Matches($"waitingroom_requests_total{{room=\"{app.Room}\",route=\"[^\"]+\",outcome=\"failed-open\"}} 1\\b", metrics);
    }
}

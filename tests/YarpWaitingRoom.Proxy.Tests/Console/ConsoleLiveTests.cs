using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Console;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// The console's live view: server-sent events (<c>hello</c>, then a <c>tick</c> a second with the room's view, the
/// rate point, the traffic table every few ticks and the timeline's new entries), the audit entry of a change on it,
/// and its end when the session is signed out.
/// </summary>
public sealed class ConsoleLiveTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const string AliceKey = "alice-operator-key-0123456789";

    private ProxyApp ConsoleApp(string? room = null, TimeProvider? timeProvider = null)
    {
        var app = App(mode: "Off", room: room, timeProvider: timeProvider);
        app.Settings["WaitingRoom:AdminKeys:alice"] = AliceKey;
        return app;
    }

    private static HttpClient Client(ProxyApp app) =>
        app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static async Task<(string Cookie, string Csrf)> SignInAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/_wr/admin/sign-in", new { key = AliceKey }, Cancellation);
        AssertStatus(HttpStatusCode.OK, response);
        return (response.SetCookies()["wr_admin"], (await response.JsonAsync()).GetProperty("csrfToken").GetString()!);
    }

    /// <summary>An open event stream, read an event at a time.</summary>
    private sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public HttpResponseMessage Response { get; } = response;

        public static async Task<EventStream> OpenAsync(HttpClient client, string path, string cookie)
        {
            // Not disposed here: the request lives as long as its response streams.
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("Cookie", "wr_admin=" + cookie);
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancellation);
            return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation)));
        }

        /// <summary>The next event (name, JSON data); null when the stream ended.</summary>
        public async Task<(string Name, JsonElement Data)?> NextAsync(TimeSpan timeout)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
            limit.CancelAfter(timeout);
            string? name = null;
            while (await reader.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
                {
                    return (name, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
                }
            }

            return null;
        }

        /// <summary>Events until one satisfies <paramref name="match"/>.</summary>
        public async Task<JsonElement> UntilAsync(string name, Func<JsonElement, bool> match, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                var next = await NextAsync(deadline - DateTime.UtcNow) ?? throw new InvalidOperationException("The stream ended.");
                if (next.Name == name && match(next.Data))
                {
                    return next.Data;
                }
            }

            throw new TimeoutException($"No '{name}' event matched within {timeout}.");
        }

        public void Dispose()
        {
            reader.Dispose();
            Response.Dispose();
        }
    }

    [Fact]
    public async Task LiveView_SendsHello_ThenTicksWithTheRoomsView_AndTheAuditEntryOfAChangeReachesTheTimeline()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        var (cookie, _) = await SignInAsync(client);
        using var echo = await client.GetAsync("/api/echo", Cancellation); // a route of the room: the traffic table has it

        using var stream = await EventStream.OpenAsync(client, $"/_wr/admin/rooms/{app.Room}/live", cookie);

        // Not AssertStatus: it reads the body to explain a mismatch, and this body never ends.
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no", stream.Response.Headers.GetValues("X-Accel-Buffering").Single());
        var hello = await stream.UntilAsync("hello", _ => true, TimeSpan.FromSeconds(10));
        Assert.Equal(app.Room, hello.GetProperty("room").GetString());
        Assert.Equal("alice", hello.GetProperty("operator").GetString());
        Assert.Equal(900, hello.GetProperty("history").GetArrayLength());
        var tick = await stream.UntilAsync("tick", t => t.GetProperty("routes").ValueKind == JsonValueKind.Array, TimeSpan.FromSeconds(10));
        Assert.Equal("Off", tick.GetProperty("view").GetProperty("mode").GetString());
        Assert.Equal(5000, tick.GetProperty("view").GetProperty("maxActive").GetInt32());
        Assert.True(tick.GetProperty("point").GetProperty("t").GetInt64() > 0);

        using var paused = await AdminClient(app, AliceKey).PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/mode", new { mode = "Paused" }, Cancellation);
        AssertStatus(HttpStatusCode.OK, paused);

        var changed = await stream.UntilAsync(
            "tick",
            t => t.GetProperty("timeline").EnumerateArray().Any(i => i.GetProperty("kind").GetString() == "operator"),
            TimeSpan.FromSeconds(10));
        var entry = changed.GetProperty("timeline").EnumerateArray().Single(i => i.GetProperty("kind").GetString() == "operator");
        Assert.Equal(("alice", "mode", "Off → Paused"), (entry.GetProperty("operator").GetString(), entry.GetProperty("action").GetString(), entry.GetProperty("detail").GetString()));
        Assert.Equal("Paused", changed.GetProperty("view").GetProperty("mode").GetString());
        Assert.False(entry.TryGetProperty("count", out _));
    }

    [Fact]
    public async Task LiveView_OfAnotherProxy_ShowsTheTimelineFromTheRoomsStream()
    {
        var room = RoomName();
        await using var proxyA = ConsoleApp(room);
        await using var proxyB = ConsoleApp(room);
        using var paused = await AdminClient(proxyA, AliceKey).PutAsJsonAsync($"/_wr/admin/rooms/{room}/mode", new { mode = "Paused" }, Cancellation);
        AssertStatus(HttpStatusCode.OK, paused);
        using var client = Client(proxyB);
        var (cookie, _) = await SignInAsync(client);

        using var stream = await EventStream.OpenAsync(client, $"/_wr/admin/rooms/{room}/live", cookie);
        var hello = await stream.UntilAsync("hello", _ => true, TimeSpan.FromSeconds(10));

        Assert.Contains(hello.GetProperty("timeline").EnumerateArray(), i => i.GetProperty("kind").GetString() == "operator" && i.GetProperty("detail").GetString() == "Off → Paused");
    }

    [Fact]
    public async Task LiveView_EndsAtOnce_WhenItsSessionIsSignedOutOnAnotherProxy_AndAnotherSessionsViewLivesOn()
    {
        // Time stands still, so the feed's own session check never comes due: only the sign-out's notice can end the view.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var room = RoomName();
        await using var proxyA = ConsoleApp(room, time);
        await using var proxyB = ConsoleApp(room, time);
        using var clientA = Client(proxyA);
        using var clientB = Client(proxyB);
        var (cookie, csrf) = await SignInAsync(clientB);
        var (otherCookie, _) = await SignInAsync(clientA);
        using var stream = await EventStream.OpenAsync(clientA, $"/_wr/admin/rooms/{room}/live", cookie);
        using var other = await EventStream.OpenAsync(clientA, $"/_wr/admin/rooms/{room}/live", otherCookie);
        time.Advance(TimeSpan.FromSeconds(1)); // a watcher that came while the loop waited is greeted at the next tick
        await stream.UntilAsync("hello", _ => true, TimeSpan.FromSeconds(10));
        await other.UntilAsync("hello", _ => true, TimeSpan.FromSeconds(10));

        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/_wr/admin/sign-out");
        signOut.Headers.Add("Cookie", "wr_admin=" + cookie);
        signOut.Headers.Add(WaitingRoomHeaders.Csrf, csrf);
        using var signedOut = await clientB.SendAsync(signOut, Cancellation);
        AssertStatus(HttpStatusCode.NoContent, signedOut);

        var end = await stream.UntilAsync("end", _ => true, TimeSpan.FromSeconds(10));
        Assert.Equal("signed-out", end.GetProperty("reason").GetString());
        Assert.Null(await stream.NextAsync(TimeSpan.FromSeconds(5)));
        time.Advance(TimeSpan.FromSeconds(1));
        await other.UntilAsync("tick", _ => true, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task LiveView_EndsAtItsSessionCheck_WhenTheSignOutsNoticeNeverCame()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = ConsoleApp(timeProvider: time);
        using var client = Client(app);
        var (cookie, _) = await SignInAsync(client);
        using var stream = await EventStream.OpenAsync(client, $"/_wr/admin/rooms/{app.Room}/live", cookie);
        await stream.UntilAsync("hello", _ => true, TimeSpan.FromSeconds(10));
        var sessions = app.Services.GetRequiredService<AdminSessions>();
        Assert.Equal(AdminSessions.Check.Valid, sessions.Validate(cookie, out var session));
        var interval = (int)ConsoleFeed.SessionCheckInterval.TotalSeconds;

        // The clock goes a second at a time, as it passes: one step longer than the proxy's Redis budget would time out
        // the feed's calls in flight (the policy's timeouts run on this clock too) and open its breaker.
        async Task<(string Name, JsonElement Data)> StepAsync()
        {
            time.Advance(TimeSpan.FromSeconds(1));
            while (await stream.NextAsync(TimeSpan.FromSeconds(10)) is { } next)
            {
                if (next.Name is "tick" or "end")
                {
                    return next;
                }
            }

            return ("closed", default);
        }

        // A whole interval, so a check came due while the session lives: nothing ends.
        for (var second = 0; second <= interval; second++)
        {
            Assert.Equal("tick", (await StepAsync()).Name);
        }

        // Signed out on a proxy whose notice was lost: only the ended mark in Redis, as EndAsync writes it.
        await app.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .StringSetAsync(AdminSessions.EndedKey(session!), "1", TimeSpan.FromMinutes(1));
        var steps = 0;
        (string Name, JsonElement Data) seen;
        do
        {
            seen = await StepAsync();
            steps++;
        }
        while (seen.Name == "tick" && steps <= interval + 2);

        Assert.Equal("end", seen.Name);
        Assert.Equal("signed-out", seen.Data.GetProperty("reason").GetString());
        Assert.Null(await stream.NextAsync(TimeSpan.FromSeconds(5)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef0123456789abcde")]
    [InlineData("0123456789abcdef0123456789abcdef0")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("0123456789abcdef0123456789abcde*")]
    public void SignOutNotice_ThatIsNotASessionId_IsIgnored(string? notice) => Assert.False(AdminSessions.IsSessionId(notice));

    [Fact]
    public void SignOutNotice_OfASessionId_IsTaken() => Assert.True(AdminSessions.IsSessionId("0123456789abcdef0123456789abcdef"));

    [Fact]
    public async Task LiveView_OfAnUnknownRoom_Is404()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        var (cookie, _) = await SignInAsync(client);

        using var stream = await EventStream.OpenAsync(client, "/_wr/admin/rooms/no-such-room/live", cookie);

        AssertStatus(HttpStatusCode.NotFound, stream.Response);
    }
}

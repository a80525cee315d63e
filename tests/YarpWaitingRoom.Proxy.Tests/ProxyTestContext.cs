using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>Helpers shared by the proxy tests: requests as a browser or an API client, polling, Redis access.</summary>
internal static class ProxyTestContext
{
    public static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>A fresh room name (rooms are [a-z0-9-]), so tests sharing one Redis never meet.</summary>
    public static string RoomName() => "r" + Guid.NewGuid().ToString("N")[..10];

    public static HttpRequestMessage Api(HttpMethod method, string path, string? cookies = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd("application/json");
        if (cookies is not null)
        {
            request.Headers.Add("Cookie", cookies);
        }

        return request;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);

    /// <summary>A client of <paramref name="app"/> that sends <paramref name="key"/> as the admin key (none when null).</summary>
    public static HttpClient AdminClient(ProxyApp app, string? key = ProxyApp.AdminKey)
    {
        ArgumentNullException.ThrowIfNull(app);
        var client = app.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(WaitingRoomHeaders.AdminKey, key);
        }

        return client;
    }

    public static TokenService Tokens(this ProxyApp app) => app.Services.GetRequiredService<TokenService>();

    /// <summary>
    /// The ticket id a signed ticket token names. Compare these, not tokens: the same place answered twice is signed
    /// twice, and the token's expiry moves on with the second between the answers.
    /// </summary>
    public static string TicketIdOf(this ProxyApp app, string? token)
    {
        ArgumentNullException.ThrowIfNull(app);
        var status = app.Tokens().Validate(token, TokenKind.Ticket, app.Room, visitor: null, DateTimeOffset.UtcNow, out var claims);
        Assert.True(status == TokenStatus.Valid, $"not a valid ticket of room {app.Room}: {status}");
        return claims!.Ticket;
    }

    public static Room RoomOf(this ProxyApp app) => app.Services.GetRequiredService<RoomRegistry>().TryGet(app.Room, out var room)
        ? room
        : throw new InvalidOperationException("room missing");

    public static RedisKeys Keys(this ProxyApp app) => new(app.Room);

    public static IDatabase Redis(this ProxyApp app) => app.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

    /// <summary>Polls <paramref name="condition"/> every 50 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(50, Cancellation);
        }
    }

    /// <summary>The <c>name=value</c> pairs of a response's Set-Cookie headers.</summary>
    public static Dictionary<string, string> SetCookies(this HttpResponseMessage response)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var value in values)
            {
                var pair = value.Split(';', 2)[0];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                cookies[pair[..eq]] = pair[(eq + 1)..];
            }
        }

        return cookies;
    }

    public static string CookieHeader(params (string Name, string Value)[] cookies) =>
        string.Join("; ", cookies.Select(c => c.Name + "=" + c.Value));

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, string? cookies = null)
    {
        using var request = Api(method, path, cookies);
        return await client.SendAsync(request, Cancellation);
    }

    /// <summary>
    /// A join that is to take a place, as a client takes one: <paramref name="join"/> sent again after its Retry-After
    /// while the proxy sheds it (a <c>busy</c> or <c>unavailable</c> 503 without a ticket: its Redis slow on a saturated
    /// 2-core machine, seen in CI on the Redis Cluster phase), up to five asks. Returns the first answer that is not shed
    /// (a queued place is a 503 with a ticket), its body buffered for reading again; a test asserting on a shed answer
    /// would test the machine's load, not the behaviour.
    /// </summary>
    public static async Task<HttpResponseMessage> QueuedAsync(Func<Task<HttpResponseMessage>> join)
    {
        ArgumentNullException.ThrowIfNull(join);
        for (var ask = 1; ; ask++)
        {
            var response = await join();
            var body = await response.Content.ReadAsStringAsync(Cancellation);
            var shed = response.StatusCode == HttpStatusCode.ServiceUnavailable
                && (body.Contains(ProblemTypes.Busy, StringComparison.Ordinal) || body.Contains(ProblemTypes.Unavailable, StringComparison.Ordinal));
            if (!shed || ask == 5)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait, Cancellation);
        }
    }

    /// <summary><see cref="QueuedAsync(Func{Task{HttpResponseMessage}})"/> of a GET of <paramref name="path"/>.</summary>
    public static Task<HttpResponseMessage> QueuedAsync(this HttpClient client, string path = "/api/echo") =>
        QueuedAsync(() => client.SendAsync(HttpMethod.Get, path));

    /// <summary>A Set-Cookie that grants admission (not the empty one that clears it).</summary>
    public static bool IsAdmissionCookie(string setCookie, string room) =>
        setCookie.StartsWith("wr_" + room + "=", StringComparison.Ordinal) && !setCookie.StartsWith("wr_" + room + "=;", StringComparison.Ordinal);

    public static void AssertStatus(HttpStatusCode expected, HttpResponseMessage response) =>
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
}

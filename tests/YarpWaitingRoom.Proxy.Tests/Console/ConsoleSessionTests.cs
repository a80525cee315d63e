using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Yarp.Endpoints;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// The operator console's sessions: nothing of it without a session (but the sign-in page), sign-in with a named key,
/// the cookie's flags, wrong keys refused like the header's, CSRF tokens on every change, sign-out ending the session on
/// every proxy, a changed key ending its operator's sessions, the sign-in limit, and every action attributed.
/// </summary>
public sealed class ConsoleSessionTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const string AliceKey = "alice-operator-key-0123456789";
    private const string BobKey = "bob-operator-key-0123456789ab";

    private ProxyApp ConsoleApp(string? room = null, string aliceKey = AliceKey, TimeProvider? timeProvider = null)
    {
        var app = App(mode: "Off", room: room, timeProvider: timeProvider);
        app.Settings["WaitingRoom:AdminKeys:alice"] = aliceKey;
        app.Settings["WaitingRoom:AdminKeys:bob"] = BobKey;
        return app;
    }

    private static async Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body, string Cookie, string Csrf)> SignInAsync(
        HttpClient client, string key = AliceKey)
    {
        var response = await client.PostAsJsonAsync("/_wr/admin/sign-in", new { key }, Cancellation);
        AssertStatus(HttpStatusCode.OK, response);
        var body = await response.JsonAsync();
        return (response, body, response.SetCookies()["wr_admin"], body.GetProperty("csrfToken").GetString()!);
    }

    private static HttpClient Client(ProxyApp app) =>
        app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    private static HttpRequestMessage Change(string path, string cookie, string? csrf, object body, string? fetchSite = "same-origin")
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Cookie", "wr_admin=" + cookie);
        if (csrf is not null)
        {
            request.Headers.Add(WaitingRoomHeaders.Csrf, csrf);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        return request;
    }

    private static HttpRequestMessage WithCookie(HttpMethod method, string path, string cookie)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", "wr_admin=" + cookie);
        return request;
    }

    private static async Task<double> CounterAsync(HttpClient client, string series)
    {
        var line = (await client.GetStringAsync("/metrics", Cancellation)).Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<StreamEntry[]> OperatorEntriesAsync(ProxyApp app) =>
        [.. (await app.Redis().StreamRangeAsync(app.Keys().Events)).Where(e => e["type"] == "operator")];

    [Fact]
    public async Task WithoutASession_OnlyTheSignInPageIsServed_AndNoStreamOrActionAnswers()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);

        using var page = await client.GetAsync("/_wr/admin/", Cancellation);
        AssertStatus(HttpStatusCode.OK, page);
        var html = await page.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("/_wr/admin/sign-in", html, StringComparison.Ordinal);
        Assert.DoesNotContain("wr-console-data", html, StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.NotNull(page.Headers.GetValues("Content-Security-Policy").Single());

        using var live = await client.GetAsync($"/_wr/admin/rooms/{app.Room}/live", Cancellation);
        using var mode = await client.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/mode", new { mode = "Paused" }, Cancellation);
        using var signOut = await client.PostAsync("/_wr/admin/sign-out", null, Cancellation);
        using var view = await client.GetAsync($"/_wr/admin/rooms/{app.Room}", Cancellation);
        foreach (var refused in new[] { live, mode, signOut, view })
        {
            AssertStatus(HttpStatusCode.Unauthorized, refused);
            Assert.Equal(ProblemTypes.AdminKey, (await refused.JsonAsync()).GetProperty("type").GetString());
        }

        Assert.Equal("Off", app.RoomOf().Snapshot.Mode.ToString());
    }

    [Fact]
    public async Task SignIn_WithANamedKey_SetsAStrictHttpOnlySessionCookie_AndTheConsoleShowsItsOperator()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);

        var (response, body, cookie, csrf) = await SignInAsync(client);

        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("wr_admin=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", setCookie, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/_wr/admin", setCookie, StringComparison.Ordinal);
        Assert.Contains("expires=", setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain("secure", setCookie, StringComparison.Ordinal); // SecureCookies=false and plain http: the local stack
        Assert.Equal("alice", body.GetProperty("operator").GetString());

        using var page = await client.SendAsync(WithCookie(HttpMethod.Get, "/_wr/admin/", cookie), Cancellation);
        var html = await page.Content.ReadAsStringAsync(Cancellation);
        Assert.Contains("wr-console-data", html, StringComparison.Ordinal);
        Assert.Contains(csrf, html, StringComparison.Ordinal);
        Assert.Contains("alice", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionCookie_IsSecure_WhenCookiesAreSecure()
    {
        await using var app = ConsoleApp();
        app.Settings["WaitingRoom:SecureCookies"] = "true";
        using var client = Client(app);

        var (response, _, _, _) = await SignInAsync(client);

        Assert.Contains("secure", response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("wr_admin=", StringComparison.Ordinal)).ToLowerInvariant(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAWrongKey_Is401_AsTheHeaderKeyIs_ByFormAndByJson_AndCounted()
    {
        await using var app = ConsoleApp();
        app.Settings["WaitingRoom:RateLimits:AdminSignInBurst"] = "10";
        using var client = Client(app);
        var rejectedBefore = await CounterAsync(client, "waitingroom_admin_rejected_total{reason=\"wrong\"}");
        var wrongBefore = await CounterAsync(client, "waitingroom_admin_sign_ins_total{outcome=\"wrong-key\"}");

        using var json = await client.PostAsJsonAsync("/_wr/admin/sign-in", new { key = "not-an-operator-key-000000" }, Cancellation);
        using var form = await client.PostAsync("/_wr/admin/sign-in", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = "wrong", ["lang"] = "ko" }), Cancellation);
        using var header = await AdminClient(app, "not-an-operator-key-000000").GetAsync($"/_wr/admin/rooms/{app.Room}", Cancellation);

        AssertStatus(HttpStatusCode.Unauthorized, json);
        Assert.Equal(ProblemTypes.AdminKey, (await json.JsonAsync()).GetProperty("type").GetString());
        AssertStatus(HttpStatusCode.Unauthorized, form);
        Assert.StartsWith("text/html", form.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Contains("lang=\"ko\"", await form.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        AssertStatus(HttpStatusCode.Unauthorized, header);
        Assert.False(json.Headers.Contains("Set-Cookie") || form.Headers.Contains("Set-Cookie"));
        // The counters are the process's, shared with tests running beside this one: at least this test's refusals.
        Assert.True(await CounterAsync(client, "waitingroom_admin_rejected_total{reason=\"wrong\"}") >= rejectedBefore + 3);
        Assert.True(await CounterAsync(client, "waitingroom_admin_sign_ins_total{outcome=\"wrong-key\"}") >= wrongBefore + 2);
    }

    [Fact]
    public void KeyComparison_LooksAtEveryOperatorsKey_WhicheverMatches_OrNone()
    {
        byte[][] digests = [.. Enumerable.Range(0, 5).Select(i => SHA256.HashData(Encoding.UTF8.GetBytes("operator-key-" + i)))];

        var none = AdminKey.Match(SHA256.HashData("wrong"u8), digests, out var comparedNone);
        var first = AdminKey.Match(digests[0], digests, out var comparedFirst);
        var last = AdminKey.Match(digests[4], digests, out var comparedLast);

        Assert.Equal((-1, 0, 4), (none, first, last));
        Assert.Equal([5, 5, 5], new[] { comparedNone, comparedFirst, comparedLast });
    }

    [Fact]
    public async Task StateChanges_WithTheSessionCookie_NeedTheSessionsCsrfToken_FromThisSite()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        var (_, _, cookie, csrf) = await SignInAsync(client);
        var (_, _, _, bobsCsrf) = await SignInAsync(client, BobKey);
        var path = $"/_wr/admin/rooms/{app.Room}/mode";

        using var missing = await client.SendAsync(Change(path, cookie, csrf: null, new { mode = "Paused" }), Cancellation);
        using var foreign = await client.SendAsync(Change(path, cookie, bobsCsrf, new { mode = "Paused" }), Cancellation);
        using var crossSite = await client.SendAsync(Change(path, cookie, csrf, new { mode = "Paused" }, fetchSite: "cross-site"), Cancellation);
        using var sameSite = await client.SendAsync(Change(path, cookie, csrf, new { mode = "Paused" }, fetchSite: "same-site"), Cancellation);
        foreach (var refused in new[] { missing, foreign, crossSite, sameSite })
        {
            AssertStatus(HttpStatusCode.Forbidden, refused);
            Assert.Equal(ProblemTypes.Csrf, (await refused.JsonAsync()).GetProperty("type").GetString());
        }

        Assert.Equal("Off", app.RoomOf().Snapshot.Mode.ToString());
        Assert.Empty(await OperatorEntriesAsync(app));

        using var made = await client.SendAsync(Change(path, cookie, csrf, new { mode = "Paused" }), Cancellation);

        AssertStatus(HttpStatusCode.OK, made);
        Assert.Equal("Paused", app.RoomOf().Snapshot.Mode.ToString());
        var entry = Assert.Single(await OperatorEntriesAsync(app));
        Assert.Equal(("alice", "mode", "Off → Paused"), ((string?)entry["operator"], (string?)entry["action"], (string?)entry["detail"]));
        Assert.True(await CounterAsync(client, "waitingroom_admin_rejected_total{reason=\"csrf\"}") >= 4);
    }

    [Fact]
    public async Task ReadsWithTheSessionCookie_NeedNoCsrfToken()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        var (_, _, cookie, _) = await SignInAsync(client);

        using var view = await client.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}", cookie), Cancellation);

        AssertStatus(HttpStatusCode.OK, view);
        Assert.Equal(app.Room, (await view.JsonAsync()).GetProperty("room").GetString());
    }

    [Fact]
    public async Task HeaderKeyCalls_AreAttributedToTheKeysOperator_AndNeedNoCsrfToken()
    {
        await using var app = ConsoleApp();
        using var bob = AdminClient(app, BobKey);
        using var admin = AdminClient(app);

        using var paused = await bob.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/mode", new { mode = "Paused" }, Cancellation);
        using var inventory = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/inventory", new { remaining = 40 }, Cancellation);

        AssertStatus(HttpStatusCode.OK, paused);
        AssertStatus(HttpStatusCode.OK, inventory);
        var entries = await OperatorEntriesAsync(app);
        Assert.Equal(
            [("bob", "mode", "Off → Paused"), ("admin", "inventory", "unknown → 40")],
            entries.Select(e => ((string?)e["operator"], (string?)e["action"], (string?)e["detail"])).ToArray());
    }

    [Fact]
    public async Task SignOut_EndsTheSession_OnEveryProxy_AtOnce()
    {
        var room = RoomName();
        await using var proxyA = ConsoleApp(room);
        await using var proxyB = ConsoleApp(room);
        using var clientA = Client(proxyA);
        using var clientB = Client(proxyB);
        var (_, _, cookie, csrf) = await SignInAsync(clientA);
        using var before = await clientB.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{room}", cookie), Cancellation);
        AssertStatus(HttpStatusCode.OK, before);

        using var signOut = WithCookie(HttpMethod.Post, "/_wr/admin/sign-out", cookie);
        signOut.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = csrf });
        using var signedOut = await clientA.SendAsync(signOut, Cancellation);

        AssertStatus(HttpStatusCode.SeeOther, signedOut);
        Assert.Contains("wr_admin=;", signedOut.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        using var after = await clientB.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{room}", cookie), Cancellation);
        AssertStatus(HttpStatusCode.Unauthorized, after);
        Assert.Equal(ProblemTypes.AdminSession, (await after.JsonAsync()).GetProperty("type").GetString());
        using var page = await clientB.SendAsync(WithCookie(HttpMethod.Get, "/_wr/admin/", cookie), Cancellation);
        Assert.DoesNotContain("wr-console-data", await page.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_WithoutTheCsrfToken_IsRefused_AndTheSessionLives()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        var (_, _, cookie, _) = await SignInAsync(client);

        using var forged = WithCookie(HttpMethod.Post, "/_wr/admin/sign-out", cookie);
        forged.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = "guess" });
        using var refused = await client.SendAsync(forged, Cancellation);

        AssertStatus(HttpStatusCode.Forbidden, refused);
        using var view = await client.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}", cookie), Cancellation);
        AssertStatus(HttpStatusCode.OK, view);
    }

    [Fact]
    public async Task ChangingAnOperatorsKey_EndsThatOperatorsSessions_NotOthers()
    {
        var room = RoomName();
        await using var proxyA = ConsoleApp(room);
        await using var proxyB = ConsoleApp(room, aliceKey: "alice-new-operator-key-98765");
        using var clientA = Client(proxyA);
        var (_, _, alice, _) = await SignInAsync(clientA);
        var (_, _, bob, _) = await SignInAsync(clientA, BobKey);

        using var aliceOnB = await Client(proxyB).SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{room}", alice), Cancellation);
        using var bobOnB = await Client(proxyB).SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{room}", bob), Cancellation);

        AssertStatus(HttpStatusCode.Unauthorized, aliceOnB);
        AssertStatus(HttpStatusCode.OK, bobOnB);
    }

    [Fact]
    public async Task ForgedOrMalformedSessionCookies_Are401_AndCleared()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        var (_, _, cookie, _) = await SignInAsync(client);
        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(cookie[..dot].Replace('-', '+').Replace('_', '/').PadRight((dot + 3) / 4 * 4, '=')));
        var promoted = Convert.ToBase64String(Encoding.UTF8.GetBytes(payload.Replace("|alice|", "|bob|", StringComparison.Ordinal)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_') + cookie[dot..];

        foreach (var bad in new[] { promoted, cookie[..^2] + "AA", "x", new string('a', 600), cookie + ".x", "%00" })
        {
            using var response = await client.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}", bad), Cancellation);
            AssertStatus(HttpStatusCode.Unauthorized, response);
            Assert.Equal(ProblemTypes.AdminSession, (await response.JsonAsync()).GetProperty("type").GetString());
            Assert.Contains("wr_admin=;", response.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Session_EndsAtItsLifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = ConsoleApp(timeProvider: time);
        app.Settings["WaitingRoom:AdminSessionLifetime"] = "00:05:00";
        using var client = Client(app);
        var (_, body, cookie, _) = await SignInAsync(client);
        var expires = body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange((expires - time.GetUtcNow()).TotalSeconds, 299, 300);

        time.Advance(TimeSpan.FromMinutes(4));
        using var during = await client.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}", cookie), Cancellation);
        time.Advance(TimeSpan.FromMinutes(1));
        using var after = await client.SendAsync(WithCookie(HttpMethod.Get, $"/_wr/admin/rooms/{app.Room}", cookie), Cancellation);

        AssertStatus(HttpStatusCode.OK, during);
        AssertStatus(HttpStatusCode.Unauthorized, after);
        Assert.Contains("session-expired", (await after.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_IsRateLimitedPerAddress_WrongAndRightKeysAlike()
    {
        await using var app = ConsoleApp();
        app.Settings["WaitingRoom:RateLimits:AdminSignInBurst"] = "3";
        using var client = Client(app);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsJsonAsync("/_wr/admin/sign-in", new { key = i == 3 ? AliceKey : "wrong-key-" + i }, Cancellation);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task SignIn_FromAnotherSite_IsRefused()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_wr/admin/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = AliceKey }),
        };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await client.SendAsync(request, Cancellation);

        AssertStatus(HttpStatusCode.Forbidden, response);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task FormSignIn_SendsTheBrowserOnToTheConsole()
    {
        await using var app = ConsoleApp();
        using var client = Client(app);

        using var response = await client.PostAsync(
            "/_wr/admin/sign-in",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = AliceKey, ["lang"] = "ko", ["room"] = app.Room }),
            Cancellation);

        AssertStatus(HttpStatusCode.SeeOther, response);
        Assert.Equal($"/_wr/admin/?lang=ko&room={app.Room}", response.Headers.Location?.ToString());
        Assert.True(response.SetCookies().ContainsKey("wr_admin"));
    }
}

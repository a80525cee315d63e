using System.Globalization;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// The operator console as an operator lives it (<c>tests/browser/console.mjs</c>), in Chromium through the edge: signed
/// out, a fresh browser gets the sign-in page and a wrong key a 401 without a cookie; signed in with the stack's admin key
/// (operator <c>admin</c>) typed into the form, the console's request rate moves from 0 while traffic goes to the room's
/// gated page; the mode switched to Paused and MaxActive set to 1,234 with the UI (each confirmed in the dialog) are
/// applied by both proxies, asked directly, within 2.5 s, and both changes show in the page's timeline as the operator's;
/// sign-out brings the sign-in page back and the old cookie is refused by the edge and by each proxy. Room <c>console</c>
/// is this test's alone; it is put back (its mode, MaxActive as configured) afterwards. Screenshots of the sign-in page
/// and the console (ko and en at 1280 px, ko at 390 px) go to <c>tests/artifacts/console/</c>.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class ConsoleBrowserTests(JourneyTopology stack)
{
    private const string Room = "console";
    private const int NewMaxActive = 1234;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Console_InChromium_SignsInWithTheKey_ShowsTrafficMove_AndEveryProxyAppliesThePausedModeAndTheCapSetThere_AuditedAsTheOperator()
    {
        var proxies = new[] { "STACK_PROXY_A_PORT", "STACK_PROXY_B_PORT" }
            .Select(port => "http://127.0.0.1:" + stack.Stack.Ports[port].ToString(CultureInfo.InvariantCulture))
            .ToArray();
        var artifacts = Path.Combine(stack.Stack.RepositoryRoot, "tests", "artifacts", "console");
        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser", "console.mjs")],
            TimeSpan.FromMinutes(3),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = Room,
                ["GATED_PATH"] = $"/{Room}/api/concerts",
                ["PROXY_URLS"] = string.Join(',', proxies),
                ["OPERATOR"] = "admin",
                ["ARTIFACTS"] = artifacts,
            },
            Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser"),
            Cancellation);

        TestContext.Current.TestOutputHelper?.WriteLine(run.Output);
        await stack.Stack.AssertSucceededAsync(run, "browser console check");
        var report = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        var result = JsonDocument.Parse(report).RootElement;
        Assert.True(result.GetProperty("ok").GetBoolean());
        var steps = result.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s, StringComparer.Ordinal);

        // Refused without a session, then signed in with the key: the cookie's flags as the contract says.
        Assert.Equal(401, steps["fresh"].GetProperty("liveWithoutSession").GetInt32());
        Assert.Equal(401, steps["wrong key"].GetProperty("status").GetInt32());
        var cookie = steps["signed in"].GetProperty("cookie");
        Assert.True(cookie.GetProperty("httpOnly").GetBoolean());
        Assert.Equal("Strict", cookie.GetProperty("sameSite").GetString());

        // Every proxy, asked directly, showed both changes (console.mjs fails a proxy whose answer to a question asked more
        // than 2.5 s after the change still shows the old value; an answer itself can be slow on a busy machine).
        foreach (var step in new[] { "paused", "max-active" })
        {
            var applied = steps[step].GetProperty("appliedMs").EnumerateObject().ToList();
            Assert.Equal(proxies.Order(StringComparer.Ordinal), applied.Select(p => p.Name).Order(StringComparer.Ordinal));
        }

        Assert.All(steps["signed out"].GetProperty("oldCookie").EnumerateObject(), target => Assert.Equal(401, target.Value.GetInt32()));

        // What the operator saw, and the room as it is now: put back by the check's cleanup.
        var figures = new StringBuilder("operator console in Chromium:");
        figures.Append(CultureInfo.InvariantCulture, $"\n  rate shown: {steps["traffic"].GetProperty("quiet").GetString()} -> {steps["traffic"].GetProperty("shown").GetString()} (10-s average {steps["traffic"].GetProperty("average").GetString()}), traffic {steps["traffic"].GetProperty("sent")}");
        figures.Append(CultureInfo.InvariantCulture, $"\n  Paused applied by each proxy after (ms): {steps["paused"].GetProperty("appliedMs")}");
        figures.Append(CultureInfo.InvariantCulture, $"\n  MaxActive {NewMaxActive} applied by each proxy after (ms): {steps["max-active"].GetProperty("appliedMs")}");
        figures.Append(CultureInfo.InvariantCulture, $"\n  timeline: {steps["audit"].GetProperty("entries")}");
        figures.Append(CultureInfo.InvariantCulture, $"\n  screenshots: {string.Join(", ", result.GetProperty("screenshots").EnumerateArray().Select(s => s.GetString()))}");
        TestContext.Current.TestOutputHelper?.WriteLine(figures.ToString());
        foreach (var screenshot in result.GetProperty("screenshots").EnumerateArray())
        {
            Assert.True(new FileInfo(screenshot.GetString()!).Length > 0, $"screenshot {screenshot} is empty");
        }

        using var client = new HttpClient { BaseAddress = stack.Edge };
        client.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        var view = JsonDocument.Parse(await client.GetStringAsync($"/_wr/admin/rooms/{Room}", Cancellation)).RootElement;
        Assert.Equal(steps["before"].GetProperty("mode").GetString(), view.GetProperty("mode").GetString());
        Assert.Equal(view.GetProperty("maxActiveConfigured").GetInt32(), view.GetProperty("maxActive").GetInt32());
    }
}

using System.Globalization;
using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// Every page the product serves passes axe-core at WCAG 2.2 AA (<c>tests/browser/axe.mjs</c>): the waiting page in each
/// state it renders (a scheduled sale's pre-queue with its countdown and receipt, waiting, admitted with and without the
/// entry link, gone, invalid ticket, unknown room) and a proof-of-work room's challenge page (with and without cookies), in Korean and
/// English, light and dark, at a desktop and a phone viewport, live with JavaScript and as a browser without it shows it;
/// and the operator console (<c>tests/browser/axe-console.mjs</c>): its sign-in page (with and without JavaScript, after a
/// wrong key, after sign-out) and the signed-in console, live, with its chart's table and a confirmation dialog open.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class AccessibilityTests(JourneyTopology stack)
{
    /// <summary>
    /// Known, not fixed here: without JavaScript the waiting page reloads itself every 10 s (a <c>meta refresh</c> in
    /// <c>noscript</c>, each view its heartbeat), which WCAG 2.2.1 (failure F41) and axe's <c>meta-refresh</c> reject.
    /// What replaces it is a product decision (no-JavaScript visitors would have to keep their place by hand); until it is
    /// taken, a run whose only violations are this one is reported skipped, never passed.
    /// </summary>
    private const string NoScriptRefresh = "meta-refresh";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("desktop", "on")]
    [InlineData("phone", "on")]
    [InlineData("desktop", "off")]
    [InlineData("phone", "off")]
    public async Task WaitingPage_InEveryState_PassesAxeAtWcag22AA_InKoreanAndEnglish(string device, string scripting)
    {
        var abandonAfter = TimeSpan.Parse(JourneyTopology.ConcertAbandonAfter, CultureInfo.InvariantCulture);
        var browser = Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser");
        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(browser, "axe.mjs")],
            TimeSpan.FromMinutes(3),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = "journey",
                ["GATED_PATH"] = "/journey/api/concerts",
                ["GONE_ROOM"] = "concert",
                ["GONE_PATH"] = "/api/concerts",
                ["PREQUEUE_ROOM"] = "presale",
                ["PREQUEUE_PATH"] = "/presale/api/concerts",
                ["CHALLENGE_ROOM"] = "challenge",
                ["CHALLENGE_PATH"] = "/challenge/api/concerts",
                // AbandonAfter, then two runs of the reaper (every AbandonAfter / 4) and some slack.
                ["GONE_AFTER_MS"] = ((abandonAfter * 1.5) + TimeSpan.FromSeconds(2)).TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
                ["DEVICES"] = device,
                ["SCRIPTING"] = scripting,
            },
            browser,
            Cancellation);

        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var report = lines.LastOrDefault(l => l.StartsWith('{'));
        Assert.True(report is not null, "axe.mjs printed no report:\n" + run.Output);
        var result = JsonDocument.Parse(report).RootElement;
        var complete = result.TryGetProperty("complete", out var done) && done.GetBoolean();
        Assert.True(complete, "axe.mjs did not get through every page:\n" + run.Output);

        var violations = result.GetProperty("violations").EnumerateArray().ToList();
        var found = $"{violations.Count} axe-core violation(s) at WCAG 2.2 AA:\n" + string.Join('\n', violations.Select(Describe));
        if (scripting == "off" && violations.Count > 0 && violations.All(v => v.GetProperty("id").GetString() == NoScriptRefresh))
        {
            Assert.Skip("Known: without JavaScript the page reloads itself (meta-refresh, WCAG 2.2.1); nothing else failed. " + found);
        }

        Assert.True(run.ExitCode == 0 && violations.Count == 0, found + "\n" + (result.TryGetProperty("error", out var error) ? error.GetString() : run.Output));
    }

    [Fact]
    public async Task OperatorConsole_SignInAndLivePages_PassAxeAtWcag22AA_InKoreanAndEnglish_OnDesktopAndPhone_LightAndDark()
    {
        var browser = Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser");
        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(browser, "axe-console.mjs")],
            TimeSpan.FromMinutes(4),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = "console",
            },
            browser,
            Cancellation);

        var report = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        Assert.True(report is not null, "axe-console.mjs printed no report:\n" + run.Output);
        var result = JsonDocument.Parse(report).RootElement;
        Assert.True(result.TryGetProperty("complete", out var done) && done.GetBoolean(), "axe-console.mjs did not get through every page:\n" + run.Output);
        var violations = result.GetProperty("violations").EnumerateArray().ToList();
        TestContext.Current.TestOutputHelper?.WriteLine($"axe-console.mjs: {result.GetProperty("checked").GetArrayLength()} page views checked, {violations.Count} violation(s)");
        Assert.True(run.ExitCode == 0 && violations.Count == 0,
            $"{violations.Count} axe-core violation(s) at WCAG 2.2 AA:\n" + string.Join('\n', violations.Select(Describe)) + "\n" + run.Output);
        // Both languages, both devices, both schemes; the sign-in page with and without script, the console live.
        var checkedViews = result.GetProperty("checked").EnumerateArray().ToList();
        Assert.Equal(2, checkedViews.Select(c => c.GetProperty("language").GetString()).Distinct().Count());
        Assert.Contains(checkedViews, c => c.GetProperty("page").GetString() == "console" && c.GetProperty("device").GetString() == "phone" && c.GetProperty("colorScheme").GetString() == "dark");
        Assert.Contains(checkedViews, c => c.GetProperty("page").GetString() == "sign-in" && c.GetProperty("script").GetString() == "off");
    }

    /// <summary><c>page [language, device, script on|off] scheme: rule (impact) help [elements] helpUrl</c>.</summary>
    private static string Describe(JsonElement violation)
    {
        string Text(string name) => violation.GetProperty(name).GetString()!;
        var targets = string.Join(", ", violation.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        return $"{Text("page")} [{Text("language")}, {Text("device")}, script {Text("script")}] {Text("colorScheme")}: "
            + $"{Text("id")} ({Text("impact")}) {Text("help")} [{targets}] {Text("helpUrl")}";
    }
}

using System.Globalization;
using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// The keep-alive as a browser lives it (<c>tests/browser/keepalive.mjs</c>): an admitted visitor on a page of the site
/// that includes <c>/_wr/keepalive.js</c> stays admitted, its hold held, well past <c>AbandonAfter</c>; closing the page
/// gets the visitor given up (one <c>abandoned</c> event) and the hold released by the backend. Prints the times from
/// closing the page to the abandonment and to the release.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class KeepAliveBrowserTests(JourneyTopology stack)
{
    private const string Room = "keepalive";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Browser_OnAPageWithKeepAliveJs_StaysAdmittedPastAbandonAfter_AndClosingItReleasesTheHold()
    {
        var abandonAfter = TimeSpan.Parse(JourneyTopology.KeepAliveAbandonAfter, CultureInfo.InvariantCulture);
        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser", "keepalive.mjs")],
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = Room,
                ["GATED_PATH"] = $"/{Room}/api/concerts",
                ["LB_URL"] = stack.Stack.InternalLoadBalancer.ToString().TrimEnd('/'),
                ["ABANDON_MS"] = ((long)abandonAfter.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            },
            Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser"),
            Cancellation);

        await stack.Stack.AssertSucceededAsync(run, "browser keep-alive check");
        var result = JsonDocument.Parse(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;
        Assert.True(result.GetProperty("ok").GetBoolean());
        var steps = result.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s);
        Assert.True(steps["kept"].GetProperty("openMs").GetInt64() > 2 * (long)abandonAfter.TotalMilliseconds);
        var closed = steps["closed"];
        var closedAt = closed.GetProperty("closedAt").GetInt64();

        // Exactly one abandonment of this room's admitted visitors since the page closed: the visitor of the page.
        var abandoned = (await EventsAsync()).Where(e => e["type"] == "abandoned" && long.Parse(e["at"], CultureInfo.InvariantCulture) >= closedAt - 1000).ToList();
        var gone = Assert.Single(abandoned);
        Assert.Equal("active", gone["reason"]);
        var closeToAbandoned = long.Parse(gone["at"], CultureInfo.InvariantCulture) - closedAt;
        var figures = $"keep-alive: interval {steps["kept"].GetProperty("meanGapMs").GetInt64()} ms (max gap {steps["kept"].GetProperty("maxGapMs").GetInt64()} ms); " +
            $"page closed -> abandoned {closeToAbandoned} ms, -> hold released {closed.GetProperty("closeToReleaseMs").GetInt64()} ms " +
            $"(last beat {closedAt - closed.GetProperty("lastBeatAt").GetInt64()} ms before closing; AbandonAfter {abandonAfter.TotalMilliseconds} ms, reaper period {abandonAfter.TotalMilliseconds / 4} ms)";
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        var artifacts = Path.Combine(stack.Stack.RepositoryRoot, "tests", "artifacts", "browser");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "keepalive.txt"), figures + Environment.NewLine + run.Output, Cancellation);
    }

    /// <summary>The room's event stream, read with redis-cli.</summary>
    private async Task<List<Dictionary<string, string>>> EventsAsync()
    {
        var run = (await ExternalProcess.RunAsync("redis-cli", ["-p", stack.RedisPort, "--json", "XRANGE", $"{{wr:{Room}}}:events", "-", "+"], TimeSpan.FromSeconds(10), cancellationToken: Cancellation))
            .EnsureSuccess("redis-cli XRANGE");
        var entries = new List<Dictionary<string, string>>();
        foreach (var entry in JsonDocument.Parse(run.Output).RootElement.EnumerateArray())
        {
            var fields = entry[1].EnumerateArray().Select(f => f.GetString()!).ToArray();
            var map = new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = string.Empty, ["at"] = "0" };
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                map[fields[i]] = fields[i + 1];
            }

            entries.Add(map);
        }

        return entries;
    }
}

using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// A scheduled sale as a visitor's browser lives it (<c>tests/browser/prequeue.mjs</c>), in Korean and English: held in
/// the pre-queue with a countdown and a receipt, placed by the draw at the start (the position the published draw gives
/// the receipt), then admitted to the page first asked for.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class PrequeueBrowserTests(JourneyTopology stack)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Browser_InASalesPrequeue_CountsDownWithItsReceipt_ThenShowsThePublishedPosition_ThenIsAdmitted_InKoreanAndEnglish()
    {
        var artifacts = Path.Combine(stack.Stack.RepositoryRoot, "tests", "artifacts", "browser");
        Directory.CreateDirectory(artifacts);
        var shots = new[] { "prequeue-ko.png", "drawn-ko.png", "prequeue-en.png", "drawn-en.png" };
        foreach (var shot in shots)
        {
            File.Delete(Path.Combine(artifacts, shot));
        }

        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser", "prequeue.mjs")],
            TimeSpan.FromMinutes(3),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ADMIN_KEY"] = StackRun.AdminKey,
                ["ROOM"] = "onsale",
                ["GATED_PATH"] = "/onsale/api/concerts",
                ["LEAD_MS"] = "8000",
                ["ARTIFACTS"] = artifacts,
            },
            Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser"),
            Cancellation);

        await stack.Stack.AssertSucceededAsync(run, "browser pre-queue journey");
        var result = JsonDocument.Parse(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;
        var steps = result.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s);
        Assert.True(result.GetProperty("ok").GetBoolean());
        Assert.Contains("같은 기회", steps["prequeue-ko"].GetProperty("fair").GetString(), StringComparison.Ordinal);
        Assert.Contains("same chance", steps["prequeue-en"].GetProperty("fair").GetString(), StringComparison.Ordinal);
        Assert.Contains("대기 순번", steps["drawn-ko"].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(steps["drawn-en"].GetProperty("published").GetInt64(), steps["drawn-en"].GetProperty("position").GetInt64());
        Assert.Contains("landed-ko", steps.Keys);
        Assert.Contains("landed-en", steps.Keys);
        foreach (var shot in shots)
        {
            Assert.True(new FileInfo(Path.Combine(artifacts, shot)).Length > 1000, $"screenshot {shot} missing");
        }
    }
}

using System.Text.Json;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// The load tool's spike rehearsal against the stack, with seconds-scale thresholds: the queue goes on, then off. The
/// calm phase sends nothing: the queue turns off only when nobody waits, and a trickle of new visitors would keep joining.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class SpikeTests(JourneyTopology stack)
{
    [Fact]
    public async Task ShortSpike_TurnsTheQueueOnBySpike_AndCalmTurnsItOffAgain()
    {
        var tool = Path.Combine(stack.Stack.RepositoryRoot, "bench", "YarpWaitingRoom.Bench", "bin", "Release", "net10.0", "YarpWaitingRoom.Bench.dll");
        Assert.True(File.Exists(tool), $"{tool} missing: ./stack test builds it");

        var run = await ExternalProcess.RunAsync(
            "dotnet",
            [tool, "spike", "--base-url", stack.Edge.ToString(), "--room", "spike", "--path", "/spike/api/concerts",
             "--base", "0", "--peak", "120", "--ramp", "2", "--hold", "3", "--calm", "20", "--spike-threshold", "60"],
            TimeSpan.FromMinutes(2),
            new Dictionary<string, string?> { ["WaitingRoom__AdminKey"] = StackRun.AdminKey },
            stack.Stack.RepositoryRoot,
            TestContext.Current.CancellationToken);

        // What the stack logged (switch evaluation, lease, flushes, Redis stalls) goes with a failure: the tool's output
        // alone cannot tell a rate that never reached Redis from a switch that never evaluated it.
        if (Unmet(run) is { } unmet)
        {
            Assert.Fail($"{unmet}\n{run.Output}{await stack.Stack.DiagnosisAsync()}");
        }
    }

    /// <summary>The first thing the rehearsal should have shown and did not; null when it showed everything.</summary>
    private static string? Unmet(ExternalProcess.Result run)
    {
        if (run.ExitCode != 0)
        {
            return "spike run failed:";
        }

        var line = run.Output.Split('\n').Last(l => l.StartsWith("result ", StringComparison.Ordinal));
        var result = JsonDocument.Parse(line["result ".Length..]).RootElement;
        var transitions = result.GetProperty("transitions").EnumerateArray()
            .Select(t => (To: t.GetProperty("to").GetString(), Reason: t.GetProperty("reason").GetString()))
            .ToList();
        return result.GetProperty("queueOnAtStart").ValueKind != JsonValueKind.False ? "the spike room's queue was not off before the spike:"
            : transitions.Count < 2 ? "transitions seen: " + string.Join(", ", transitions)
            : transitions[0] != ("on", "spike") ? $"first transition {transitions[0]}, not (on, spike)"
            : transitions[^1] != ("off", "calm") ? $"last transition {transitions[^1]}, not (off, calm)"
            : result.GetProperty("peakAchievedPerSecond").GetInt64() < 60 ? "the rehearsal never reached 60 requests in a second"
            : result.GetProperty("secondsFromSpikeToQueueOn").ValueKind != JsonValueKind.Number ? "no time from the spike to the queue turning on"
            : null;
    }
}

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

        // What the proxies logged (switch evaluation, lease, flushes) goes with every failure: the tool's output alone
        // cannot tell a rate that never reached Redis from a switch that never evaluated it.
        string Explained(string what) => $"{what}\n{run.Output}\n{stack.Stack.Warnings("proxy-a")}\n{stack.Stack.Warnings("proxy-b")}";
        Assert.True(run.ExitCode == 0, Explained("spike run failed:"));
        var line = run.Output.Split('\n').Last(l => l.StartsWith("result ", StringComparison.Ordinal));
        var result = JsonDocument.Parse(line["result ".Length..]).RootElement;
        Assert.True(result.GetProperty("queueOnAtStart").ValueKind == JsonValueKind.False, Explained("the spike room's queue was not off before the spike:"));
        var transitions = result.GetProperty("transitions").EnumerateArray()
            .Select(t => (To: t.GetProperty("to").GetString(), Reason: t.GetProperty("reason").GetString()))
            .ToList();
        Assert.True(transitions.Count >= 2, Explained("transitions seen: " + string.Join(", ", transitions)));
        Assert.True(transitions[0] == ("on", "spike"), Explained($"first transition {transitions[0]}, not (on, spike)"));
        Assert.True(transitions[^1] == ("off", "calm"), Explained($"last transition {transitions[^1]}, not (off, calm)"));
        Assert.True(result.GetProperty("peakAchievedPerSecond").GetInt64() >= 60);
        Assert.Equal(JsonValueKind.Number, result.GetProperty("secondsFromSpikeToQueueOn").ValueKind);
    }
}

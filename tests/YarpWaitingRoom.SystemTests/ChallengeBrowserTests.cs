using System.Globalization;
using System.Text;
using System.Text.Json;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// The waiting page's proof-of-work challenge as a browser lives it (<c>tests/browser/challenge.mjs</c>): the hub's
/// challenge page, opened by a visitor with a <c>wr_vid</c>, solves its challenge in a Web Worker with WebCrypto and sets
/// a <c>wr_proof</c> that the proxies' <see cref="ChallengeService"/> accepts for that visitor and room. Then the solver's
/// speed in this machine's Chromium at difficulties 16 and 18 (median and p95), printed. In <c>./stack test</c> it runs a
/// few solves only (10 at 16 bits, 3 at 18): the worker takes a whole core while it hashes, and the other system tests
/// run beside it on a 2-core machine. The issue's figures (20 solves each at 16, 18 and 20 bits, about four minutes) come
/// from <c>CHALLENGE_SOLVES=16:20,18:20,20:20</c>.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class ChallengeBrowserTests(JourneyTopology stack)
{
    private const string Room = "challenge";

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChallengePage_InChromium_SolvesItsChallengeInAWorker_AndSetsAProofTheProxiesAccept()
    {
        var solves = Environment.GetEnvironmentVariable("CHALLENGE_SOLVES");
        var run = await ExternalProcess.RunAsync(
            "node",
            [Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser", "challenge.mjs")],
            string.IsNullOrEmpty(solves) ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(15),
            new Dictionary<string, string?>
            {
                ["BASE_URL"] = stack.Edge.ToString().TrimEnd('/'),
                ["ROOM"] = Room,
                ["GATED_PATH"] = $"/{Room}/api/concerts",
                ["SOLVES"] = string.IsNullOrEmpty(solves) ? "16:10,18:3" : solves,
            },
            Path.Combine(stack.Stack.RepositoryRoot, "tests", "browser"),
            Cancellation);

        await stack.Stack.AssertSucceededAsync(run, "browser challenge check");
        var result = JsonDocument.Parse(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'))).RootElement;
        Assert.True(result.GetProperty("ok").GetBoolean());
        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        var solved = steps.Single(s => s.GetProperty("step").GetString() == "solved");
        // Through the gate: gated page -> challenge page -> solved -> back -> the gate joins -> the waiting page, a place shown.
        var joined = steps.Single(s => s.GetProperty("step").GetString() == "joined");
        Assert.True(joined.GetProperty("place").GetInt32() >= 1);

        var difficulty = int.Parse(JourneyTopology.ChallengeDifficulty, CultureInfo.InvariantCulture);

        var figures = new StringBuilder("challenge solve times in Chromium (one dedicated worker, WebCrypto):");
        foreach (var speed in steps.Where(s => s.GetProperty("step").GetString() == "speed"))
        {
            figures.Append(CultureInfo.InvariantCulture,
                $"\n  difficulty {speed.GetProperty("difficulty").GetInt32()}: {speed.GetProperty("solves").GetInt32()} solves, median {speed.GetProperty("medianMs").GetInt64()} ms, " +
                $"p95 {speed.GetProperty("p95Ms").GetInt64()} ms, max {speed.GetProperty("maxMs").GetInt64()} ms, {speed.GetProperty("hashesPerSecond").GetInt64()} hashes/s, " +
                $"progress reports/s {speed.GetProperty("progressPerSecond")}");
        }

        figures.Append(CultureInfo.InvariantCulture, $"\n  the page at difficulty {difficulty}: opened -> back at the return URL with the proof {solved.GetProperty("landedMs").GetInt64()} ms");
        figures.Append(CultureInfo.InvariantCulture, $"\n  through the gate ({joined.GetProperty("room").GetString()}): first navigation -> waiting page at place {joined.GetProperty("place").GetInt32()} in {joined.GetProperty("ms").GetInt64()} ms: {string.Join(" -> ", joined.GetProperty("journey").EnumerateArray().Select(p => p.GetString()))}");
        TestContext.Current.TestOutputHelper?.WriteLine(figures.ToString());
        var artifacts = Path.Combine(stack.Stack.RepositoryRoot, "tests", "artifacts", "browser");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "challenge.txt"), figures + Environment.NewLine + run.Output, Cancellation);

        // The proof the page set, checked as the proxies check it: signed with the stack's keys, for the visitor of the
        // browser's wr_vid and this room, at the room's difficulty.
        var keys = await SigningKeysAsync();
        // As the gate would have, when the page went back (the speed measurement after it outlasts the challenge).
        var now = DateTimeOffset.FromUnixTimeMilliseconds(solved.GetProperty("landedAt").GetInt64());
        var visitor = new TokenService(keys).VisitorOf(solved.GetProperty("visitor").GetString(), now);
        Assert.NotNull(visitor);
        Assert.Equal(difficulty, solved.GetProperty("difficulty").GetInt32());
        var outcome = new ChallengeService(keys).Verify(Room, visitor, solved.GetProperty("proof").GetString(), now, difficulty, out var verified);
        Assert.Equal(ProofOutcome.Valid, outcome);
        Assert.Equal(difficulty, verified.Difficulty);
    }

    /// <summary>The stack's signing keys, as <c>./stack up</c> generated them into its state directory.</summary>
    private async Task<IReadOnlyList<SigningKey>> SigningKeysAsync()
    {
        const string Prefix = "WaitingRoom__SigningKeys__";
        var options = new WaitingRoomOptions();
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(stack.Stack.StateDirectory, "secrets.env"), Cancellation))
        {
            if (line.StartsWith(Prefix, StringComparison.Ordinal) && line.IndexOf('=', StringComparison.Ordinal) is var equals and > 0)
            {
                options.SigningKeys[line[Prefix.Length..equals]] = line[(equals + 1)..];
            }
        }

        Assert.NotEmpty(options.SigningKeys);
        return options.BuildSigningKeys();
    }
}

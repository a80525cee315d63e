using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What the proof-of-work challenge costs, in process (no stack): the proxy's verification of a valid proof
/// (<see cref="ChallengeService.Verify"/>: shape, signature, room, visitor, expiry, one SHA-256; the Redis replay call
/// excluded), timed one call at a time for the median and p99, and in a plain loop for the mean and the bytes allocated;
/// issuing a challenge; and the solve time in .NET on one thread (<see cref="ProofSolver"/>) at the difficulties an
/// operator would use, for comparison with the browser's.
/// </summary>
internal static class ChallengeScenario
{
    public const string Name = "challenge";

    private const string Room = "concert";
    private const int Proofs = 1_000;
    private const int ProofDifficulty = 8;
    private const int Warmup = 100_000;
    private const int Verifications = 1_000_000;
    private const int Issues = 100_000;
    private const int SolvesPerDifficulty = 20;

    private static readonly int[] SolveDifficulties = [16, 18, 20];

    public static int Run(CancellationToken cancellationToken)
    {
        var challenges = new ChallengeService([new SigningKey("bench", RandomNumberGenerator.GetBytes(SigningKey.MinimumSecretBytes))], TimeSpan.FromHours(1));
        var now = TimeProvider.System.GetUtcNow();
        Console.WriteLine($"challenge: {Verifications:N0} verifications of {Proofs:N0} valid proofs, {Issues:N0} issues, {SolvesPerDifficulty} solves at each of difficulties {string.Join(", ", SolveDifficulties)} (one thread), in process");

        // Valid proofs of distinct visitors; the difficulty does not change the verification's cost (one hash either way).
        var visitors = new string[Proofs];
        var proofs = new string[Proofs];
        for (var i = 0; i < Proofs; i++)
        {
            visitors[i] = "v-" + i.ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
            var challenge = challenges.Issue(Room, visitors[i], ProofDifficulty, now);
            proofs[i] = ChallengeService.FormatProof(challenge.Prefix, ProofSolver.Solve(challenge.Prefix, ProofDifficulty, cancellationToken: cancellationToken).Nonce);
        }

        var invalid = 0;
        for (var i = 0; i < Warmup; i++)
        {
            invalid += Verify(challenges, visitors, proofs, i, now) ? 0 : 1;
        }

        var samples = new long[Verifications];
        for (var i = 0; i < Verifications; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var valid = Verify(challenges, visitors, proofs, i, now);
            samples[i] = Stopwatch.GetTimestamp() - started;
            invalid += valid ? 0 : 1;
        }

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var loopStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < Verifications; i++)
        {
            invalid += Verify(challenges, visitors, proofs, i, now) ? 0 : 1;
        }

        var meanNanos = Stopwatch.GetElapsedTime(loopStarted).TotalNanoseconds / Verifications;
        var allocatedPerCall = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)Verifications;
        if (invalid > 0)
        {
            Console.Error.WriteLine($"  {invalid} verifications of valid proofs failed");
            return 1;
        }

        Array.Sort(samples);
        var p50 = LatencyRecorder.PercentileMs(samples, 50) * 1e6;
        var p99 = LatencyRecorder.PercentileMs(samples, 99) * 1e6;
        Console.WriteLine($"  verify (valid proof)   median {p50,6:F0} ns, p99 {p99,6:F0} ns, mean {meanNanos,6:F0} ns (plain loop), {allocatedPerCall:F1} bytes allocated per call");

        // The floor: the one SHA-256 of a proof alone, as the verification makes it (the rest is an HMAC and a fingerprint).
        var input = System.Text.Encoding.ASCII.GetBytes(proofs[0]);
        var hash = new byte[SHA256.HashSizeInBytes];
        for (var i = 0; i < Verifications; i++)
        {
            var started = Stopwatch.GetTimestamp();
            ThreadHashes.Sha256(input, hash);
            samples[i] = Stopwatch.GetTimestamp() - started;
        }

        Array.Sort(samples);
        var hashP50 = LatencyRecorder.PercentileMs(samples, 50) * 1e6;
        Console.WriteLine($"  one SHA-256 of a proof median {hashP50,6:F0} ns ({input.Length} bytes)");

        var issueStarted = Stopwatch.GetTimestamp();
        for (var i = 0; i < Issues; i++)
        {
            challenges.Issue(Room, visitors[i % Proofs], 18, now);
        }

        var issueNanos = Stopwatch.GetElapsedTime(issueStarted).TotalNanoseconds / Issues;
        Console.WriteLine($"  issue                  mean {issueNanos,6:F0} ns");

        var solves = new JsonObject();
        foreach (var difficulty in SolveDifficulties)
        {
            var times = new double[SolvesPerDifficulty];
            long hashes = 0;
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < SolvesPerDifficulty; i++)
            {
                var prefix = challenges.Issue(Room, visitors[i], difficulty, now).Prefix;
                var solveStarted = Stopwatch.GetTimestamp();
                hashes += ProofSolver.Solve(prefix, difficulty, cancellationToken: cancellationToken).Counter + 1;
                times[i] = Stopwatch.GetElapsedTime(solveStarted).TotalMilliseconds;
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Array.Sort(times);
            var median = Percentile(times, 50);
            var p95 = Percentile(times, 95);
            var hashesPerSecond = hashes / elapsed;
            Console.WriteLine($"  solve at {difficulty} (.NET, 1 thread) median {median,7:F0} ms, p95 {p95,7:F0} ms, {hashesPerSecond / 1e6:F2} M hashes/s (expected 2^{difficulty} = {1L << difficulty:N0} hashes)");
            solves[difficulty.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["medianMs"] = Math.Round(median, 1),
                ["p95Ms"] = Math.Round(p95, 1),
                ["hashesPerSecond"] = Math.Round(hashesPerSecond, 0),
            };
        }

        var json = new JsonObject
        {
            ["verifications"] = Verifications,
            ["verifyMedianNanos"] = Math.Round(p50, 0),
            ["verifyP99Nanos"] = Math.Round(p99, 0),
            ["verifyMeanNanos"] = Math.Round(meanNanos, 0),
            ["verifyAllocatedBytesPerCall"] = Math.Round(allocatedPerCall, 2),
            ["sha256OfAProofMedianNanos"] = Math.Round(hashP50, 0),
            ["issueMeanNanos"] = Math.Round(issueNanos, 0),
            ["solveDotnetOneThread"] = solves,
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return 0;
    }

    private static bool Verify(ChallengeService challenges, string[] visitors, string[] proofs, int i, DateTimeOffset now) =>
        challenges.Verify(Room, visitors[i % Proofs], proofs[i % Proofs], now, ProofDifficulty, out _) == ProofOutcome.Valid;

    private static double Percentile(double[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

using System.Security.Cryptography;
using System.Text;

namespace YarpWaitingRoom.Challenges;

/// <summary>
/// The reference solver of <see cref="ChallengeService"/>'s challenges, in C# (tests, the bench's pre-computed proofs, a
/// model for API clients): counts 0, 1, 2… in base 36 (<c>[0-9a-z]</c>, as JavaScript's <c>n.toString(36)</c>) until
/// SHA-256 of the ASCII bytes of <c>&lt;prefix&gt;:&lt;nonce&gt;</c> has enough leading zero bits. Expected work:
/// 2^difficulty hashes.
/// </summary>
internal static class ProofSolver
{
    /// <summary>Hashes between two looks at the cancellation token.</summary>
    private const int CancellationCheckInterval = 4096;

    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>The first counter from <paramref name="first"/> on whose nonce solves <paramref name="prefix"/> at <paramref name="difficulty"/>, on this thread.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static ProofSolution Solve(string prefix, int difficulty, long first = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        return Search(PrefixBytes(prefix), difficulty, first, 1, cancellationToken)
            ?? throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>
    /// A solution found by <paramref name="workers"/> threads sharing the counters (worker <c>w</c> tries
    /// <c>w, w + workers, …</c>); the first found wins, so not always the lowest counter.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public static async Task<ProofSolution> SolveParallelAsync(string prefix, int difficulty, int workers, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        var bytes = PrefixBytes(prefix);
        using var found = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var searches = new Task<ProofSolution?>[workers];
        for (var w = 0; w < workers; w++)
        {
            var start = w;
            searches[w] = Task.Run(
                () =>
                {
                    var solution = Search(bytes, difficulty, start, workers, found.Token);
                    if (solution is not null)
                    {
                        found.Cancel();
                    }

                    return solution;
                },
                CancellationToken.None);
        }

        foreach (var solution in await Task.WhenAll(searches).ConfigureAwait(false))
        {
            if (solution is { } s)
            {
                return s;
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>The nonce that spells <paramref name="counter"/>: base 36, lowercase, no leading zeros.</summary>
    public static string Nonce(long counter)
    {
        Span<byte> digits = stackalloc byte[ChallengeService.MaxNonceLength];
        var length = WriteNonce(counter, digits);
        return Encoding.ASCII.GetString(digits[..length]);
    }

    private static byte[] PrefixBytes(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        return Encoding.ASCII.GetBytes(prefix + ":");
    }

    private static ProofSolution? Search(byte[] prefix, int difficulty, long start, long step, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(difficulty, ChallengeService.MinDifficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, ChallengeService.MaxDifficulty);
        var input = new byte[prefix.Length + ChallengeService.MaxNonceLength];
        prefix.CopyTo(input, 0);
        var nonce = input.AsSpan(prefix.Length);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var untilCheck = CancellationCheckInterval;
        for (var counter = start; ; counter += step)
        {
            if (--untilCheck == 0)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return null;
                }

                untilCheck = CancellationCheckInterval;
            }

            var length = prefix.Length + WriteNonce(counter, nonce);
            ThreadHashes.Sha256(input.AsSpan(0, length), hash);
            var bits = ChallengeService.LeadingZeroBits(hash);
            if (bits >= difficulty)
            {
                return new ProofSolution(Nonce(counter), counter, bits);
            }
        }
    }

    private static int WriteNonce(long counter, Span<byte> destination)
    {
        // At most 13 base-36 digits for a long: always within MaxNonceLength.
        Span<byte> reversed = stackalloc byte[ChallengeService.MaxNonceLength];
        var length = 0;
        do
        {
            reversed[length++] = (byte)Digits[(int)(counter % 36)];
            counter /= 36;
        }
        while (counter > 0);

        for (var i = 0; i < length; i++)
        {
            destination[i] = reversed[length - 1 - i];
        }

        return length;
    }
}

using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// The verifiable draw of a scheduled sale's pre-queue, by a rule anyone can recompute from the published documents:
/// <list type="bullet">
/// <item>when the event is scheduled the room draws a secret 32-byte seed and publishes only its commitment,
/// <c>SHA-256</c> of the seed's lowercase hex string (<see cref="Commitment"/>);</item>
/// <item>at the start the participants' receipts are frozen; their digest is <c>SHA-256</c> of the receipts sorted
/// (ordinal) and joined with <c>\n</c> (<see cref="Digest"/>);</item>
/// <item>each participant's key is <c>SHA-256(seed ‖ ":" ‖ digest ‖ ":" ‖ receipt)</c> over those hex strings in
/// UTF-8 (<see cref="Key"/>), and places go by key, ascending (<see cref="Order"/>).</item>
/// </list>
/// Every hash is shown as lowercase hex. The seed is revealed after the draw; that it matches the commitment shows it
/// was fixed before anyone could know the participants, and the digest shows which participants were drawn.
/// </summary>
internal static class LotteryDraw
{
    /// <summary>Bytes of a seed (shown as 64 hex characters).</summary>
    public const int SeedBytes = 32;

    private const int HashBytes = 32;

    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    /// <summary>A fresh secret seed, as lowercase hex.</summary>
    public static string NewSeed() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SeedBytes));

    /// <summary><c>SHA-256</c> of the seed's hex string, lowercase hex: what is published before the draw.</summary>
    public static string Commitment(string seed)
    {
        CheckSeed(seed);
        return Hex(Encoding.UTF8.GetBytes(seed));
    }

    /// <summary>True when <paramref name="seed"/> is the one <paramref name="commitment"/> was made for.</summary>
    public static bool Opens(string commitment, string seed) =>
        IsSeed(seed) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Commitment(seed)), Encoding.ASCII.GetBytes(commitment));

    /// <summary><c>SHA-256</c> of the receipts sorted (ordinal) and joined with <c>\n</c>, lowercase hex.</summary>
    public static string Digest(IEnumerable<string> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        var sorted = receipts.Order(StringComparer.Ordinal).ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i > 0)
            {
                hash.AppendData("\n"u8);
            }

            hash.AppendData(Encoding.UTF8.GetBytes(sorted[i]));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>A participant's key: <c>SHA-256(seed ":" digest ":" receipt)</c>, lowercase hex.</summary>
    public static string Key(string seed, string digest, string receipt) => Convert.ToHexStringLower(KeyBytes(seed, digest, receipt));

    /// <summary>
    /// The receipts in drawn order: by key, ascending (the keys' hex strings and their bytes sort alike). Two equal keys
    /// would need a SHA-256 collision; they would go by receipt.
    /// </summary>
    public static string[] Order(string seed, IReadOnlyCollection<string> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        CheckSeed(seed);
        var digest = Digest(receipts);
        var drawn = receipts.Select(r => (Key: KeyBytes(seed, digest, r), Receipt: r)).ToArray();
        Array.Sort(drawn, static (a, b) =>
        {
            var byKey = a.Key.AsSpan().SequenceCompareTo(b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Receipt, b.Receipt);
        });
        return [.. drawn.Select(d => d.Receipt)];
    }

    private static byte[] KeyBytes(string seed, string digest, string receipt)
    {
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(receipt);
        var key = new byte[HashBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed + ":" + digest + ":" + receipt), key);
        return key;
    }

    private static string Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static bool IsSeed(string? seed) =>
        seed is { Length: SeedBytes * 2 } && !seed.AsSpan().ContainsAnyExcept(LowercaseHex);

    private static void CheckSeed(string seed)
    {
        if (!IsSeed(seed))
        {
            throw new ArgumentException($"A seed is {SeedBytes * 2} lowercase hex characters.", nameof(seed));
        }
    }
}

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

    /// <summary>
    /// The draw of many participants at once, by the same rule as <see cref="Order"/>, from their receipt numbers
    /// (<see cref="Receipts.Number"/>; receipts sort as their numbers do, so the digest needs no string sort). Returns the
    /// digest and the participants' indices in drawn order. The keys are hashed on every core; the order is sorted by
    /// each key's first 8 bytes, and runs that share them (a chance of about 1 in 10^7 among a million) by the whole key.
    /// </summary>
    public static (string Digest, int[] Order) Draw(string seed, ReadOnlySpan<ulong> receiptNumbers)
    {
        CheckSeed(seed);
        var count = receiptNumbers.Length;
        var sorted = receiptNumbers.ToArray();
        Array.Sort(sorted);
        var digest = DigestOfSorted(sorted);
        var prefix = Encoding.UTF8.GetBytes(seed + ":" + digest + ":");
        var keys = new byte[count * HashBytes];
        var numbers = receiptNumbers.ToArray();
        Parallel.For(0, (count + 4095) / 4096, block =>
        {
            Span<byte> input = stackalloc byte[prefix.Length + Receipts.Length];
            prefix.CopyTo(input);
            var end = Math.Min(count, (block + 1) * 4096);
            for (var i = block * 4096; i < end; i++)
            {
                Receipts.Write(numbers[i], input[prefix.Length..]);
                SHA256.HashData(input, keys.AsSpan(i * HashBytes, HashBytes));
            }
        });

        var heads = new ulong[count];
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            heads[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(keys.AsSpan(i * HashBytes));
            order[i] = i;
        }

        Array.Sort(heads, order);
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < count && heads[end] == heads[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start, Comparer<int>.Create((a, b) =>
                {
                    var byKey = keys.AsSpan(a * HashBytes, HashBytes).SequenceCompareTo(keys.AsSpan(b * HashBytes, HashBytes));
                    return byKey != 0 ? byKey : numbers[a].CompareTo(numbers[b]);
                }));
            }

            start = end;
        }

        return (digest, order);
    }

    /// <summary>The digest of receipts given as their numbers, ascending (the receipts' ordinal order).</summary>
    public static string DigestOfSorted(ReadOnlySpan<ulong> sortedNumbers)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        const int PerAppend = 4096;
        var buffer = new byte[PerAppend * (Receipts.Length + 1)];
        for (var start = 0; start < sortedNumbers.Length; start += PerAppend)
        {
            var length = 0;
            var end = Math.Min(sortedNumbers.Length, start + PerAppend);
            for (var i = start; i < end; i++)
            {
                if (i > 0)
                {
                    buffer[length++] = (byte)'\n';
                }

                Receipts.Write(sortedNumbers[i], buffer.AsSpan(length, Receipts.Length));
                length += Receipts.Length;
            }

            hash.AppendData(buffer, 0, length);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
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

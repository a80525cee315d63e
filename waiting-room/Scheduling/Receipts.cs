using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// A pre-queue participant's receipt: the short public id of their place in a draw, published with its position after
/// the draw (the ticket stays secret). 12 characters of Crockford's base32 (no I, L, O, U: easy to read out and type)
/// spelling 60 bits, most significant first, so receipts sort as their numbers do.
/// <para>
/// A receipt is made from the participant's arrival number (1, 2, 3, … in the pre-queue) by a bijection of the 60-bit
/// numbers keyed with the sale's secret receipt key (<see cref="NewKey"/>): receipts are unique by construction (no
/// collision to check or store, whatever the number of participants) and, without the key, say nothing about who arrived
/// first. The key only hides arrival order; the draw's fairness rests on the seed (<see cref="LotteryDraw"/>).
/// </para>
/// </summary>
internal static class Receipts
{
    /// <summary>Characters in a receipt.</summary>
    public const int Length = 12;

    /// <summary>Bits a receipt spells.</summary>
    public const int Bits = 60;

    /// <summary>Bytes of a receipt key (four 64-bit round keys).</summary>
    public const int KeyBytes = 32;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int BitsPerCharacter = 5;
    private const ulong Mask = (1UL << Bits) - 1;

    // Odd, so that multiplying by it is a bijection modulo 2^60; then a right shift by about half the width mixes the
    // high bits the multiplication produced back into the low ones (also a bijection).
    private const ulong Multiplier = 0x9E3779B97F4A7C15UL & Mask;
    private const int Shift = 29;
    private const int Rounds = KeyBytes / sizeof(ulong);

    private static readonly SearchValues<char> Characters = SearchValues.Create(Alphabet);

    /// <summary>A fresh secret receipt key, as lowercase hex (kept in the sale's hash, never shown).</summary>
    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>The round keys of a receipt key's hex string.</summary>
    public static ulong[] ParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = Convert.FromHexString(key);
        if (bytes.Length != KeyBytes)
        {
            throw new ArgumentException($"A receipt key is {KeyBytes * 2} hex characters.", nameof(key));
        }

        var rounds = new ulong[Rounds];
        for (var r = 0; r < Rounds; r++)
        {
            rounds[r] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(r * sizeof(ulong))) & Mask;
        }

        return rounds;
    }

    /// <summary>The receipt number of arrival <paramref name="arrival"/> under <paramref name="key"/> (a bijection of 0 … 2^60 - 1).</summary>
    public static ulong Number(ReadOnlySpan<ulong> key, long arrival)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arrival);
        var x = (ulong)arrival & Mask;
        foreach (var round in key)
        {
            x ^= round;
            x = (x * Multiplier) & Mask;
            x ^= x >> Shift;
        }

        return x;
    }

    /// <summary>The receipt of arrival <paramref name="arrival"/> under <paramref name="key"/>.</summary>
    public static string Of(ReadOnlySpan<ulong> key, long arrival) => Format(Number(key, arrival));

    /// <summary>A receipt number as its 12 characters, most significant first.</summary>
    public static string Format(ulong number) => string.Create(Length, number, static (chars, value) => Write(value, chars));

    /// <summary>Writes a receipt number's 12 characters (as ASCII bytes) into <paramref name="destination"/>.</summary>
    public static void Write(ulong number, Span<byte> destination)
    {
        for (var i = Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)Alphabet[(int)(number & 0x1F)];
            number >>= BitsPerCharacter;
        }
    }

    private static void Write(ulong number, Span<char> destination)
    {
        for (var i = Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(number & 0x1F)];
            number >>= BitsPerCharacter;
        }
    }

    /// <summary>True for exactly <see cref="Length"/> characters of the alphabet.</summary>
    public static bool IsValid(ReadOnlySpan<char> receipt) => receipt.Length == Length && !receipt.ContainsAnyExcept(Characters);
}

using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace YarpWaitingRoom.Scheduling;

/// <summary>
/// A pre-queue participant's receipt: the short public id of their place in a draw, published with its position after
/// the draw (the ticket stays secret). 12 characters of Crockford's base32 (no I, L, O, U: easy to read out and type),
/// 60 random bits: among a million participants two draws collide with a chance of about 4 in 10 million, and the
/// room refuses a duplicate anyway (a participant then gets another).
/// </summary>
internal static class Receipts
{
    /// <summary>Characters in a receipt.</summary>
    public const int Length = 12;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int BitsPerCharacter = 5;

    private static readonly SearchValues<char> Characters = SearchValues.Create(Alphabet);

    /// <summary>A fresh random receipt.</summary>
    public static string New()
    {
        Span<byte> random = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(random);
        var bits = BinaryPrimitives.ReadUInt64LittleEndian(random);
        return string.Create(Length, bits, static (chars, value) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[(int)(value & 0x1F)];
                value >>= BitsPerCharacter;
            }
        });
    }

    /// <summary>True for what <see cref="New"/> makes: exactly <see cref="Length"/> characters of the alphabet.</summary>
    public static bool IsValid(ReadOnlySpan<char> receipt) => receipt.Length == Length && !receipt.ContainsAnyExcept(Characters);
}

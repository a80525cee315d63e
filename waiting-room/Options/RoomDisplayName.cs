using System.Buffers;

namespace YarpWaitingRoom.Options;

/// <summary>
/// A room's name as visitors read it, per language of the waiting page, bound from
/// <c>WaitingRoom:Rooms:&lt;room&gt;:DisplayName:ko</c> and <c>:en</c>. The waiting page titles itself with it when the room
/// has no scheduled sale (a sale's own name comes first), in the page's language, else in the other one; the bare room
/// name only when neither is set.
/// </summary>
public sealed class RoomDisplayName
{
    /// <summary>The longest name accepted, in UTF-16 code units.</summary>
    public const int MaxLength = 80;

    // C0 and C1 controls, and the bidirectional embeddings, overrides and isolates that would let a name reorder the
    // text around it.
    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c))
        + "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069");

    /// <summary>The name in Korean (<c>ko</c>); empty or null when not set.</summary>
    public string? Ko { get; set; }

    /// <summary>The name in English (<c>en</c>); empty or null when not set.</summary>
    public string? En { get; set; }

    /// <summary>The name in <paramref name="language"/> (<c>"ko"</c> or <c>"en"</c>), else in the other language, else null.</summary>
    internal string? For(string language)
    {
        var (first, second) = language == "ko" ? (Ko, En) : (En, Ko);
        return !string.IsNullOrWhiteSpace(first) ? first : !string.IsNullOrWhiteSpace(second) ? second : null;
    }

    /// <summary>What is wrong with one language's name (<paramref name="key"/>: <c>ko</c> or <c>en</c>), or null.</summary>
    internal static string? Check(string key, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return $"DisplayName:{key} is only white space; leave it out instead.";
        }

        if (name.Length > MaxLength)
        {
            return $"DisplayName:{key} is {name.Length} characters long; at most {MaxLength}.";
        }

        return name.AsSpan().ContainsAny(Forbidden)
            ? $"DisplayName:{key} contains a control or bidirectional formatting character."
            : null;
    }
}

using System.Buffers;

namespace YarpWaitingRoom.Options;

/// <summary>
/// The rule of a room's name, in one place: 1-64 characters of <c>[a-z0-9-]</c>. It is a Redis hash tag
/// (<c>{wr:&lt;room&gt;}</c>), a cookie name's suffix (<c>wr_&lt;room&gt;</c>), a URL path segment and a field of
/// invitation keys, so nothing in it needs escaping anywhere.
/// </summary>
internal static class RoomNames
{
    public const int MaxLength = 64;

    /// <summary>What a room name may use.</summary>
    public static readonly SearchValues<char> Characters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-");

    /// <summary>How the rule reads in an error message.</summary>
    public const string Rule = "1-64 characters of [a-z0-9-]";

    public static bool IsValid(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= MaxLength && !name.ContainsAnyExcept(Characters);
}

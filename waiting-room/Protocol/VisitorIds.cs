using System.Buffers;

namespace YarpWaitingRoom.Protocol;

/// <summary>
/// The one rule for a visitor id (and a ticket id, a room name inside a token): what the proxy passes in
/// <see cref="WaitingRoomHeaders.Visitor"/>, what tokens carry, what backends accept. Printable ASCII without spaces or
/// separators that could break a token, a log line or a Redis key.
/// </summary>
internal static class VisitorIds
{
    /// <summary>The longest id accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>The characters an id may use: <c>[A-Za-z0-9_-.:]</c>.</summary>
    public static readonly SearchValues<char> Characters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:");

    /// <summary>What <see cref="IsValid(string?)"/> accepts, for error messages.</summary>
    public const string Description = "at most 128 characters of [A-Za-z0-9_-.:]";

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && IsValid(id.AsSpan());

    public static bool IsValid(ReadOnlySpan<char> id) =>
        !id.IsEmpty && id.Length <= MaxLength && !id.ContainsAnyExcept(Characters);
}

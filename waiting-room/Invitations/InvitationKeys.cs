using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.Invitations;

/// <summary>
/// Invitation keys: what a ticket site gives a member so that the member can take a place in an invitation-only room.
/// A key is five fields joined by <c>.</c>:
/// <c>v1.&lt;room&gt;.&lt;member&gt;.&lt;expiry&gt;.&lt;mac&gt;</c>, where <c>room</c> is the room's name (1-64 characters of
/// <c>[a-z0-9-]</c>), <c>member</c> the ticket site's own id of the member (1-64 characters of <c>[A-Za-z0-9_-]</c>),
/// <c>expiry</c> the first Unix second at which the key is refused (decimal, no sign, no leading zero, at most
/// 253402300799), and <c>mac</c> the HMAC-SHA-256 of the ASCII bytes of everything before the last <c>.</c> (the
/// literal text <c>v1.&lt;room&gt;.&lt;member&gt;.&lt;expiry&gt;</c>), keyed with the UTF-8 bytes of the room's secret,
/// in base64url without padding (43 characters).
/// <para>
/// Every character is URL-safe (RFC 3986 unreserved) and none is a separator of its neighbours, so a key goes in a query
/// string, a header or a pasted line as it is, and every key has exactly one spelling (the grammar admits no variant of
/// a field, the MAC is compared as text), so what is MACed is simply the key's own text before the MAC. The fields stay
/// readable (a support desk can tell the room, member and expiry of a key at a glance); none of them is a secret: the
/// member id is the member's own.
/// </para>
/// </summary>
public static class InvitationKeys
{
    /// <summary>The version this library writes and reads: a key's first field.</summary>
    internal const string Version = "v1";

    /// <summary>Separates the fields; no field may contain it.</summary>
    internal const char Separator = '.';

    /// <summary>The shortest secret accepted, in characters (the key is its UTF-8 bytes; printable ASCII only).</summary>
    public const int MinSecretLength = 32;

    /// <summary>The longest room name (<see cref="RoomNames"/>).</summary>
    internal const int MaxRoomLength = RoomNames.MaxLength;

    /// <summary>The longest member id.</summary>
    public const int MaxMemberLength = 64;

    /// <summary>The latest expiry: 9999-12-31T23:59:59Z, the last second a <see cref="DateTimeOffset"/> holds.</summary>
    internal const long MaxExpiry = 253402300799;

    /// <summary>Digits of <see cref="MaxExpiry"/>.</summary>
    internal const int MaxExpiryDigits = 12;

    /// <summary>Characters of the MAC: 32 bytes in base64url without padding.</summary>
    internal const int MacLength = 43;

    internal const int MacBytes = 32;

    /// <summary>The longest key: every field at its longest.</summary>
    internal const int MaxKeyLength = 2 + 1 + MaxRoomLength + 1 + MaxMemberLength + 1 + MaxExpiryDigits + 1 + MacLength;

    /// <summary>What a member id may use: <c>[A-Za-z0-9_-]</c>.</summary>
    internal static readonly SearchValues<char> MemberCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    /// <summary>What a MAC may use: the base64url alphabet.</summary>
    internal static readonly SearchValues<char> MacCharacters = MemberCharacters;

    /// <summary>
    /// Signs an invitation key for <paramref name="member"/> in <paramref name="room"/>, good until
    /// <paramref name="expiresAt"/> (truncated to the second; refused from that second on).
    /// </summary>
    /// <param name="secret">The room's secret: at least <see cref="MinSecretLength"/> characters of printable ASCII (e.g. <c>openssl rand -base64 32</c>).</param>
    /// <param name="room">The room's name: 1-64 characters of <c>[a-z0-9-]</c>.</param>
    /// <param name="member">The ticket site's id of the member: 1-<see cref="MaxMemberLength"/> characters of <c>[A-Za-z0-9_-]</c>.</param>
    /// <param name="expiresAt">When the key stops working: between the Unix epoch and the end of year 9999.</param>
    /// <returns>The key, <c>v1.&lt;room&gt;.&lt;member&gt;.&lt;expiry&gt;.&lt;mac&gt;</c>.</returns>
    /// <exception cref="ArgumentException">A field outside its rule.</exception>
    public static string Sign(string secret, string room, string member, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(member);
        if (!IsValidSecret(secret))
        {
            throw new ArgumentException($"An invitation secret is at least {MinSecretLength} characters of printable ASCII.", nameof(secret));
        }

        if (!IsValidRoom(room))
        {
            throw new ArgumentException($"A room name is 1-{MaxRoomLength} characters of [a-z0-9-].", nameof(room));
        }

        if (!IsValidMember(member))
        {
            throw new ArgumentException($"A member id is 1-{MaxMemberLength} characters of [A-Za-z0-9_-].", nameof(member));
        }

        var expiry = expiresAt.ToUnixTimeSeconds();
        ArgumentOutOfRangeException.ThrowIfNegative(expiry, nameof(expiresAt));

        var signed = string.Create(CultureInfo.InvariantCulture, $"{Version}{Separator}{room}{Separator}{member}{Separator}{expiry}");
        Span<byte> mac = stackalloc byte[MacBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signed), mac);
        return signed + Separator + Base64Url.EncodeToString(mac);
    }

    /// <summary>Whether <paramref name="secret"/> may key invitation keys: at least <see cref="MinSecretLength"/> characters of printable ASCII (no spaces).</summary>
    internal static bool IsValidSecret(string? secret) =>
        secret is { Length: >= MinSecretLength } && !secret.AsSpan().ContainsAnyExceptInRange('!', '~');

    internal static bool IsValidRoom(ReadOnlySpan<char> room) => RoomNames.IsValid(room);

    internal static bool IsValidMember(ReadOnlySpan<char> member) =>
        member.Length is > 0 and <= MaxMemberLength && !member.ContainsAnyExcept(MemberCharacters);
}

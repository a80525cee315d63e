using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace YarpWaitingRoom.Invitations;

/// <summary>
/// The visitor id of a member in an invitation room, so that one key is one place: whichever browser presents a key of
/// that member, the room sees the same visitor, and the join (idempotent per visitor) returns the same place.
/// <c>m</c> followed by the first 96 bits, base64url (16 characters), of
/// <c>HMAC-SHA-256(key, "member-visitor|&lt;room&gt;|&lt;member&gt;")</c>: 17 characters of <c>[A-Za-z0-9_-]</c>, so it is a
/// valid <see cref="Protocol.VisitorIds"/> id without a <c>.</c> (a ticket is <c>&lt;visitor&gt;.&lt;sequence&gt;</c>), as
/// long as a proxy's own (<c>v</c> and 16 characters), and never equal to one (the first letter differs).
/// <para>
/// Keyed, not a plain hash: member ids are the ticket site's and often guessable (sequential numbers), and the visitor id
/// ends up in Redis, tickets, logs and the events a backend reads; with a key nobody can tell a member from a visitor id
/// or compute another member's. The key must be the same on every proxy and should not change during a sale: a member
/// who comes back after it changed gets a new visitor, so a second place. That is why it is not the room's invitation
/// secret (which rotates while keys are out). The <c>member-visitor|</c> label keeps the MAC apart from any other use of
/// the same key (no token's signed text contains <c>|</c>).
/// </para>
/// </summary>
internal static class MemberVisitors
{
    /// <summary>What starts a member's visitor id (a proxy's own start with <c>v</c>).</summary>
    public const char Mark = 'm';

    /// <summary>The shortest key accepted, as for a token signing key.</summary>
    public const int MinKeyBytes = 32;

    private const string Label = "member-visitor|";
    private const char FieldSeparator = '|';
    private const int VisitorBytes = 12;
    private const int MaxMessageLength = 15 + InvitationKeys.MaxRoomLength + 1 + InvitationKeys.MaxMemberLength;

    /// <summary>The visitor id of <paramref name="member"/> in <paramref name="room"/> under <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">A key shorter than <see cref="MinKeyBytes"/>, or a room or member outside the invitation key's rules.</exception>
    public static string Of(ReadOnlySpan<byte> key, string room, string member)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(member);
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"A member visitor key needs at least {MinKeyBytes} bytes.", nameof(key));
        }

        if (!InvitationKeys.IsValidRoom(room))
        {
            throw new ArgumentException($"A room name is 1-{InvitationKeys.MaxRoomLength} characters of [a-z0-9-].", nameof(room));
        }

        if (!InvitationKeys.IsValidMember(member))
        {
            throw new ArgumentException($"A member id is 1-{InvitationKeys.MaxMemberLength} characters of [A-Za-z0-9_-].", nameof(member));
        }

        Span<byte> message = stackalloc byte[MaxMessageLength];
        var length = Encoding.ASCII.GetBytes(Label, message);
        length += Encoding.ASCII.GetBytes(room, message[length..]);
        message[length++] = (byte)FieldSeparator;
        length += Encoding.ASCII.GetBytes(member, message[length..]);

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, message[..length], mac);
        Span<char> id = stackalloc char[1 + Base64Url.GetEncodedLength(VisitorBytes)];
        id[0] = Mark;
        Base64Url.EncodeToChars(mac[..VisitorBytes], id[1..]);
        return new string(id);
    }
}

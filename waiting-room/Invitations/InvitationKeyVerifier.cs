using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace YarpWaitingRoom.Invitations;

/// <summary>
/// Checks <see cref="InvitationKeys"/> for one room, in process, with no Redis call: version, shape, room, MAC (against
/// every secret of the room, so a secret rotates by adding the new one, moving the ticket site to it and removing the old
/// one), expiry. Hostile input costs at most one HMAC per secret and allocates nothing (a key is at most
/// <see cref="InvitationKeys.MaxKeyLength"/> characters, worked on the stack); only a valid key allocates, its member id.
/// Never throws on a key's content; the MAC is compared in constant time, as text, so a key has one spelling.
/// </summary>
internal sealed class InvitationKeyVerifier
{
    private const int FieldCount = 5;
    private const int MaxVersionLength = 4;

    // Not ContainsAnyExceptInRange: measured at 96 bytes a call here (.NET 10); SearchValues allocates nothing.
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    private readonly byte[][] _secrets;

    /// <param name="room">The room whose keys this verifier accepts.</param>
    /// <param name="secrets">The room's secrets; every one verifies (the ticket site signs with one of them).</param>
    public InvitationKeyVerifier(string room, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(secrets);
        if (!InvitationKeys.IsValidRoom(room))
        {
            throw new ArgumentException($"A room name is 1-{InvitationKeys.MaxRoomLength} characters of [a-z0-9-].", nameof(room));
        }

        if (secrets.Count == 0)
        {
            throw new ArgumentException("An invitation room needs at least one secret.", nameof(secrets));
        }

        _secrets = new byte[secrets.Count][];
        for (var i = 0; i < secrets.Count; i++)
        {
            if (!InvitationKeys.IsValidSecret(secrets[i]))
            {
                throw new ArgumentException(
                    $"An invitation secret is at least {InvitationKeys.MinSecretLength} characters of printable ASCII.", nameof(secrets));
            }

            _secrets[i] = Encoding.UTF8.GetBytes(secrets[i]);
        }

        Room = room;
    }

    /// <summary>The room whose keys are accepted.</summary>
    public string Room { get; }

    /// <summary>
    /// Checks <paramref name="key"/> at <paramref name="now"/>; on <see cref="InvitationKeyStatus.Valid"/>,
    /// <paramref name="member"/> is the member id it carries, otherwise null. A key is refused from its expiry second on.
    /// </summary>
    public InvitationKeyStatus Verify(ReadOnlySpan<char> key, DateTimeOffset now, out string? member)
    {
        member = null;
        if (key.IsEmpty)
        {
            return InvitationKeyStatus.Missing;
        }

        var versionEnd = key[..Math.Min(key.Length, MaxVersionLength + 1)].IndexOf(InvitationKeys.Separator);
        var version = versionEnd < 0 ? key : key[..versionEnd];
        if (!version.SequenceEqual(InvitationKeys.Version))
        {
            return IsVersion(version) ? InvitationKeyStatus.UnsupportedVersion : InvitationKeyStatus.Malformed;
        }

        if (key.Length > InvitationKeys.MaxKeyLength)
        {
            return InvitationKeyStatus.Malformed;
        }

        Span<Range> fields = stackalloc Range[FieldCount + 1];
        if (key.Split(fields, InvitationKeys.Separator) != FieldCount)
        {
            return InvitationKeyStatus.Malformed;
        }

        var room = key[fields[1]];
        var memberField = key[fields[2]];
        var mac = key[fields[4]];
        if (!InvitationKeys.IsValidRoom(room)
            || !InvitationKeys.IsValidMember(memberField)
            || !TryParseExpiry(key[fields[3]], out var expiry)
            || mac.Length != InvitationKeys.MacLength
            || mac.ContainsAnyExcept(InvitationKeys.MacCharacters))
        {
            return InvitationKeyStatus.Malformed;
        }

        if (!room.SequenceEqual(Room))
        {
            return InvitationKeyStatus.WrongRoom;
        }

        if (!IsGenuine(key[..fields[3].End], mac))
        {
            return InvitationKeyStatus.BadSignature;
        }

        if (now.ToUnixTimeSeconds() >= expiry)
        {
            return InvitationKeyStatus.Expired;
        }

        member = memberField.ToString();
        return InvitationKeyStatus.Valid;
    }

    private bool IsGenuine(ReadOnlySpan<char> signed, ReadOnlySpan<char> presented)
    {
        // Every character was checked to be ASCII above, so each one is one byte.
        Span<byte> signedBytes = stackalloc byte[InvitationKeys.MaxKeyLength];
        signedBytes = signedBytes[..Encoding.ASCII.GetBytes(signed, signedBytes)];
        Span<byte> expected = stackalloc byte[InvitationKeys.MacBytes];
        Span<char> expectedText = stackalloc char[InvitationKeys.MacLength];
        var genuine = false;
        foreach (var secret in _secrets)
        {
            HMACSHA256.HashData(secret, signedBytes, expected);
            Base64Url.EncodeToChars(expected, expectedText);
            genuine |= CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(expectedText), MemoryMarshal.AsBytes(presented));
        }

        return genuine;
    }

    /// <summary>Decimal seconds, no sign, no leading zero, at most <see cref="InvitationKeys.MaxExpiry"/>.</summary>
    private static bool TryParseExpiry(ReadOnlySpan<char> text, out long expiry)
    {
        expiry = 0;
        return text.Length is > 0 and <= InvitationKeys.MaxExpiryDigits
            && (text[0] != '0' || text.Length == 1)
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out expiry)
            && expiry <= InvitationKeys.MaxExpiry;
    }

    /// <summary><c>v</c> and 1-3 digits: a version of the format, if not this one.</summary>
    private static bool IsVersion(ReadOnlySpan<char> field) =>
        field.Length is >= 2 and <= MaxVersionLength && field[0] == 'v' && !field[1..].ContainsAnyExcept(Digits);
}

using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace YarpWaitingRoom.Tokens;

/// <summary>
/// Issues and checks the waiting room's signed tokens, in process, with no Redis call:
/// <c>&lt;key id&gt;.&lt;base64url payload&gt;.&lt;base64url HMAC-SHA256&gt;</c>, where the payload is
/// <c>kind|room|visitor|ticket|expiry</c>, or <c>kind|room|visitor|ticket|expiry|returnUrl</c> when the token carries the
/// visitor's return URL (tickets and entry codes: the room keeps it nowhere else; last, as it may contain <c>|</c>). The signature covers the key id and the payload and is compared in constant time.
/// Tokens are issued with the first key; every listed key is accepted, so keys rotate by adding a new first key and
/// retiring the old one once its tokens have expired.
/// <para>
/// With a <c>verifiedCacheCapacity</c>, tokens whose signature has been verified are remembered (the exact string, with
/// its claims), so a hot path that sees the same cookie on every request pays a dictionary lookup instead of an HMAC.
/// Claims (kind, room, visitor, expiry) are still checked on every call; only the signature check is skipped, and only
/// for byte-identical strings that passed it before. Only the <c>verifiedCacheKinds</c> are remembered (tokens presented
/// again and again: cookies; a one-time entry code would only take room), and the cache never holds more than its
/// capacity: it is cleared when full. Each entry costs about 570 bytes (the string, its claims, the dictionary node).
/// </para>
/// </summary>
internal sealed class TokenService
{
    /// <summary>
    /// Longest token accepted; anything longer is refused before any work. Room for a return URL of
    /// <see cref="Queue.LocalUrls.MaxLength"/> characters besides the other fields, base64url-encoded and signed.
    /// </summary>
    public const int MaxTokenLength = 4096;

    private const int SignatureBytes = 32;
    private const char FieldSeparator = '|';

    private readonly SigningKey _current;
    private readonly FrozenDictionary<string, SigningKey> _keys;
    private readonly ConcurrentDictionary<string, TokenClaims>? _verified;
    private readonly FrozenSet<TokenKind>? _verifiedKinds;
    private readonly int _verifiedCapacity;
    private int _verifiedCount;

    /// <param name="keys">Signing keys; the first issues, all validate.</param>
    /// <param name="verifiedCacheCapacity">How many verified tokens to remember at most; 0 remembers none.</param>
    /// <param name="verifiedCacheKinds">Which kinds to remember; null remembers every kind.</param>
    public TokenService(IReadOnlyList<SigningKey> keys, int verifiedCacheCapacity = 0, IEnumerable<TokenKind>? verifiedCacheKinds = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(verifiedCacheCapacity);
        if (verifiedCacheCapacity > 0)
        {
            _verified = new ConcurrentDictionary<string, TokenClaims>(StringComparer.Ordinal);
            _verifiedKinds = verifiedCacheKinds?.ToFrozenSet();
            _verifiedCapacity = verifiedCacheCapacity;
        }

        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one signing key is required.", nameof(keys));
        }

        _current = keys[0];
        _keys = keys.ToFrozenDictionary(k => k.Id, StringComparer.Ordinal);
    }

    /// <summary>Verified tokens remembered right now (never more than the capacity).</summary>
    public int VerifiedCount => _verified?.Count ?? 0;

    /// <summary>The most verified tokens remembered at once; 0 when none are.</summary>
    public int VerifiedCapacity => _verifiedCapacity;

    /// <summary>Signs a token; <paramref name="returnUrl"/>, when given, must be local (<see cref="Queue.LocalUrls"/>).</summary>
    public string Issue(TokenKind kind, string room, string visitor, string ticket, DateTimeOffset expiresAt, string? returnUrl = null)
    {
        CheckField(room, nameof(room));
        CheckField(visitor, nameof(visitor));
        CheckField(ticket, nameof(ticket));
        if (visitor.Length == 0)
        {
            throw new ArgumentException("A token always names its visitor.", nameof(visitor));
        }

        if (returnUrl is not null && !Queue.LocalUrls.IsLocal(returnUrl))
        {
            throw new ArgumentException("A token's return URL is a local URL.", nameof(returnUrl));
        }

        var payload = returnUrl is null
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{(char)kind}{FieldSeparator}{room}{FieldSeparator}{visitor}{FieldSeparator}{ticket}{FieldSeparator}{expiresAt.ToUnixTimeSeconds()}")
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{(char)kind}{FieldSeparator}{room}{FieldSeparator}{visitor}{FieldSeparator}{ticket}{FieldSeparator}{expiresAt.ToUnixTimeSeconds()}{FieldSeparator}{returnUrl}");
        var encodedPayload = Base64Url.EncodeToString(Encoding.ASCII.GetBytes(payload));
        var signed = _current.Id + "." + encodedPayload;
        Span<byte> signature = stackalloc byte[SignatureBytes];
        HMACSHA256.HashData(_current.Secret, Encoding.ASCII.GetBytes(signed), signature);
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// Checks <paramref name="token"/>: shape, key, signature, kind, room (when given), visitor, expiry, in that order, so
    /// a forged token never reaches the claim checks. A null <paramref name="visitor"/> skips the visitor check only for
    /// kinds that grant nothing by themselves (tickets, visitor ids); an admission or an entry code is bound to its
    /// visitor (<see cref="IsBoundToVisitor"/>) and without the presenting visitor is <see cref="TokenStatus.WrongVisitor"/>.
    /// </summary>
    public TokenStatus Validate(
        ReadOnlySpan<char> token, TokenKind kind, string? room, string? visitor, DateTimeOffset now, out TokenClaims? claims)
    {
        claims = null;
        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return TokenStatus.Malformed;
        }

        if (_verified is not null && _verified.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(token, out var known))
        {
            return CheckClaims(known, kind, room, visitor, now, out claims);
        }

        var firstDot = token.IndexOf('.');
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot || lastDot == token.Length - 1)
        {
            return TokenStatus.Malformed;
        }

        var keyId = token[..firstDot];
        var encodedPayload = token[(firstDot + 1)..lastDot];
        var encodedSignature = token[(lastDot + 1)..];
        if (encodedPayload.Contains('.'))
        {
            return TokenStatus.Malformed;
        }

        if (!_keys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(keyId, out var key))
        {
            return TokenStatus.UnknownKey;
        }

        // TryDecode… throws on characters outside the alphabet: check validity (and length) first.
        Span<byte> presented = stackalloc byte[SignatureBytes];
        if (!Base64Url.IsValid(encodedSignature, out var presentedLength) || presentedLength != SignatureBytes
            || !Base64Url.TryDecodeFromChars(encodedSignature, presented, out _))
        {
            return TokenStatus.Malformed;
        }

        var signedLength = lastDot;
        var signedBytes = signedLength <= 256 ? stackalloc byte[signedLength] : new byte[signedLength];
        if (Encoding.ASCII.GetBytes(token[..lastDot], signedBytes) != signedLength)
        {
            return TokenStatus.Malformed;
        }

        Span<byte> expected = stackalloc byte[SignatureBytes];
        HMACSHA256.HashData(key.Secret, signedBytes, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, presented))
        {
            return TokenStatus.BadSignature;
        }

        if (!TryParsePayload(encodedPayload, out var parsed))
        {
            return TokenStatus.Malformed;
        }

        if (_verified is not null && (_verifiedKinds is null || _verifiedKinds.Contains(parsed.Kind)))
        {
            if (Interlocked.Increment(ref _verifiedCount) > _verifiedCapacity)
            {
                _verified.Clear();
                Interlocked.Exchange(ref _verifiedCount, 1);
            }

            _verified.TryAdd(token.ToString(), parsed);
        }

        return CheckClaims(parsed, kind, room, visitor, now, out claims);
    }

    private static TokenStatus CheckClaims(TokenClaims parsed, TokenKind kind, string? room, string? visitor, DateTimeOffset now, out TokenClaims? claims)
    {
        claims = null;
        if (parsed.Kind != kind)
        {
            return TokenStatus.WrongKind;
        }

        if (room is not null && !string.Equals(parsed.Room, room, StringComparison.Ordinal))
        {
            return TokenStatus.WrongRoom;
        }

        if (visitor is null ? IsBoundToVisitor(kind) : !string.Equals(parsed.Visitor, visitor, StringComparison.Ordinal))
        {
            return TokenStatus.WrongVisitor;
        }

        if (parsed.ExpiresAt <= now)
        {
            return TokenStatus.Expired;
        }

        claims = parsed;
        return TokenStatus.Valid;
    }

    /// <summary>
    /// Whether a token of <paramref name="kind"/> is good only in the hands of the visitor it names (a proven
    /// <c>wr_vid</c>): an admission cookie and an entry code grant entry, so a copy of either must not work for anyone
    /// else. A ticket only shows a place, and a visitor token is the proof itself.
    /// </summary>
    public static bool IsBoundToVisitor(TokenKind kind) => kind is TokenKind.Admission or TokenKind.EntryCode;

    private static bool TryParsePayload(ReadOnlySpan<char> encoded, out TokenClaims claims)
    {
        claims = null!;
        if (!Base64Url.IsValid(encoded, out var decodedLength))
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(decodedLength);
        try
        {
            if (!Base64Url.TryDecodeFromChars(encoded, buffer, out var length))
            {
                return false;
            }

            var payload = Encoding.ASCII.GetString(buffer, 0, length).AsSpan();
            // Six ranges: the sixth, when present, is the rest of the payload (a return URL may contain '|').
            Span<Range> fields = stackalloc Range[6];
            var count = payload.Split(fields, FieldSeparator);
            if (count is not (5 or 6))
            {
                return false;
            }

            string? returnUrl = null;
            if (count == 6)
            {
                returnUrl = payload[fields[5]].ToString();
                if (!Queue.LocalUrls.IsLocal(returnUrl))
                {
                    return false;
                }
            }

            var kindField = payload[fields[0]];
            if (kindField.Length != 1 || !Enum.IsDefined((TokenKind)kindField[0])
                || !long.TryParse(payload[fields[4]], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
                || expiry > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                return false;
            }

            claims = new TokenClaims(
                (TokenKind)kindField[0],
                payload[fields[1]].ToString(),
                payload[fields[2]].ToString(),
                payload[fields[3]].ToString(),
                DateTimeOffset.FromUnixTimeSeconds(expiry),
                returnUrl);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CheckField(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        // Room, visitor and ticket may be empty (a visitor token has no room); otherwise the one id rule.
        if (value.Length > 0 && !Protocol.VisitorIds.IsValid(value))
        {
            throw new ArgumentException($"{name} must be {Protocol.VisitorIds.Description}.", name);
        }
    }
}

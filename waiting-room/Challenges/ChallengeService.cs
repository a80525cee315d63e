using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Challenges;

/// <summary>
/// Issues and checks proof-of-work challenges, in process, with no Redis call and no state: everything a challenge
/// means is signed into its prefix.
/// <para>
/// <b>Challenge</b> (what the client gets): <c>{"algorithm": "sha256-leading-zero-bits", "prefix": P, "difficulty": d,
/// "expiresAt": "2026-11-30T17:40:00.123+00:00"}</c>. <b>Proof</b> (what it sends back):
/// <c>X-WaitingRoom-Proof: P:N</c>, where the nonce <c>N</c> is 1-16 characters of <c>[0-9a-z]</c> (a counter in base
/// 36: <c>n.toString(36)</c>) such that SHA-256 of the ASCII bytes of <c>P:N</c> (the header value itself) starts with at
/// least <c>d</c> zero bits, counted from the most significant bit of the first byte. Expected work: 2^d hashes.
/// </para>
/// <para>
/// <b>Prefix</b>: <c>&lt;key id&gt;.&lt;payload&gt;.&lt;tag&gt;</c> (at most <see cref="MaxPrefixLength"/> characters of
/// <c>[A-Za-z0-9_.-]</c>, never a <c>:</c>). The payload is 42 bytes in base64url (56 characters): version (1), difficulty
/// (1 byte), expiry (8 bytes, big-endian Unix milliseconds), challenge id (16 random bytes), room fingerprint and visitor
/// fingerprint (the first 8 bytes of the SHA-256 of each id's ASCII bytes). The tag is the first 16 bytes of
/// HMAC-SHA-256 over the ASCII bytes of <c>&lt;key id&gt;.&lt;payload&gt;</c>, in base64url (22 characters), keyed with a
/// per-key subkey HMAC-SHA-256(secret, <c>"YarpWaitingRoom challenge v1"</c>): the signing keys are the tokens' own
/// (<c>WaitingRoom:SigningKeys</c>, the first issues, every listed key verifies, so they rotate together), and the
/// subkey keeps a challenge and a token from ever passing for each other.
/// </para>
/// <para>
/// <b>Verification</b> (<see cref="Verify"/>), cheapest and most basic first: shape (length, alphabets, base64url),
/// key id and signature (constant time), room, visitor, expiry, the room's current minimum difficulty, then one SHA-256
/// of the proof. It allocates nothing and never throws on what a client sent. Replays are refused by
/// the join itself (<see cref="Queue.QueueStore.JoinAsync(string, bool, Queue.JoinConditions)"/>), which spends only a
/// proof that passed all of this, and only when it takes a new place.
/// </para>
/// <para>
/// <b>Difficulty</b>: the one signed into the challenge counts; the caller may pass the room's current minimum, so an
/// operator who raises the difficulty refuses the cheaper challenges issued before (<see cref="ProofOutcome.TooEasy"/>;
/// the client asks again and gets one at the new difficulty); lowering it leaves harder old challenges valid.
/// </para>
/// Thread-safe; hold one per process.
/// </summary>
internal sealed class ChallengeService
{
    /// <summary>The <c>algorithm</c> of every challenge.</summary>
    public const string Algorithm = "sha256-leading-zero-bits";

    /// <summary>The request header that carries a proof: <c>&lt;prefix&gt;:&lt;nonce&gt;</c>.</summary>
    public const string ProofHeader = "X-WaitingRoom-Proof";

    /// <summary>The lowest difficulty a challenge may carry.</summary>
    public const int MinDifficulty = 1;

    /// <summary>The highest difficulty a challenge may carry (2^32 hashes: hours in a browser; a sanity bound).</summary>
    public const int MaxDifficulty = 32;

    /// <summary>The longest nonce accepted: 16 characters of <c>[0-9a-z]</c>.</summary>
    public const int MaxNonceLength = 16;

    /// <summary>The longest prefix: a key id of 16 characters, the payload and the tag.</summary>
    public const int MaxPrefixLength = MaxKeyIdLength + 1 + PayloadChars + 1 + TagChars;

    /// <summary>The longest proof header value accepted; anything longer is refused before any work.</summary>
    public const int MaxProofLength = MaxPrefixLength + 1 + MaxNonceLength;

    /// <summary>
    /// How long a used challenge's marker outlives its expiry: another proxy whose clock runs behind still takes the
    /// challenge for valid a little longer, and must still find it used.
    /// </summary>
    public static readonly TimeSpan UsedMarkerMargin = TimeSpan.FromMinutes(1);

    /// <summary>How long a challenge is valid by default.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(2);

    private const byte Version = 1;
    private const int MaxKeyIdLength = 16;
    private const int PayloadBytes = 42;
    private const int PayloadChars = PayloadBytes / 3 * 4;
    private const int TagBytes = 16;
    private const int TagChars = 22;
    private const int FingerprintBytes = 8;
    private const char Separator = ':';

    /// <summary>Rooms whose fingerprint is remembered at most (a deployment has a handful; past this, computed per call).</summary>
    private const int MaxRememberedRooms = 1024;

    // Payload offsets.
    private const int DifficultyOffset = 1;
    private const int ExpiryOffset = 2;
    private const int IdOffset = 10;
    private const int RoomOffset = 26;
    private const int VisitorOffset = 34;

    private static readonly byte[] SubkeyLabel = "YarpWaitingRoom challenge v1"u8.ToArray();

    private static readonly SearchValues<char> NonceCharacters = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> PrefixCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");

    private readonly string _currentKeyId;
    private readonly byte[] _currentSubkey;
    private readonly FrozenDictionary<string, byte[]> _subkeys;
    private readonly ConcurrentDictionary<string, ulong> _roomFingerprints = new(StringComparer.Ordinal);

    /// <param name="keys">The tokens' signing keys (<c>WaitingRoomOptions.BuildSigningKeys()</c>); the first issues, all verify.</param>
    /// <param name="lifetime">How long a challenge is valid; by default <see cref="DefaultLifetime"/>.</param>
    public ChallengeService(IReadOnlyList<SigningKey> keys, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("At least one signing key is required.", nameof(keys));
        }

        Lifetime = lifetime ?? DefaultLifetime;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Lifetime, TimeSpan.Zero, nameof(lifetime));
        _subkeys = keys.ToFrozenDictionary(k => k.Id, k => HMACSHA256.HashData(k.Secret, SubkeyLabel), StringComparer.Ordinal);
        _currentKeyId = keys[0].Id;
        _currentSubkey = _subkeys[_currentKeyId];
    }

    /// <summary>How long a challenge is valid from its issue.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>The proof header value for <paramref name="prefix"/> solved by <paramref name="nonce"/>.</summary>
    public static string FormatProof(string prefix, string nonce) => prefix + Separator + nonce;

    /// <summary>A new challenge for <paramref name="visitor"/> (its <c>wr_vid</c> id) in <paramref name="room"/>, valid for <see cref="Lifetime"/> from <paramref name="now"/>.</summary>
    public Challenge Issue(string room, string visitor, int difficulty, DateTimeOffset now)
    {
        CheckId(room, nameof(room));
        CheckId(visitor, nameof(visitor));
        ArgumentOutOfRangeException.ThrowIfLessThan(difficulty, MinDifficulty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(difficulty, MaxDifficulty);

        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((now + Lifetime).ToUnixTimeMilliseconds());
        Span<byte> payload = stackalloc byte[PayloadBytes];
        payload[0] = Version;
        payload[DifficultyOffset] = (byte)difficulty;
        BinaryPrimitives.WriteInt64BigEndian(payload[ExpiryOffset..], expiresAt.ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(payload[IdOffset..RoomOffset]);
        Fingerprint(room, payload[RoomOffset..VisitorOffset]);
        Fingerprint(visitor, payload[VisitorOffset..]);

        var signedLength = _currentKeyId.Length + 1 + PayloadChars;
        Span<char> prefix = stackalloc char[signedLength + 1 + TagChars];
        _currentKeyId.CopyTo(prefix);
        prefix[_currentKeyId.Length] = '.';
        Base64Url.EncodeToChars(payload, prefix.Slice(_currentKeyId.Length + 1, PayloadChars));
        prefix[signedLength] = '.';
        Span<byte> tag = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(_currentSubkey, prefix[..signedLength], tag);
        Base64Url.EncodeToChars(tag[..TagBytes], prefix[(signedLength + 1)..]);
        return new Challenge(Algorithm, new string(prefix), difficulty, expiresAt);
    }

    /// <summary>
    /// Checks <paramref name="proof"/> (the <see cref="ProofHeader"/> value) for <paramref name="visitor"/> in
    /// <paramref name="room"/>, in process; see the class summary for the order. Does not look for replays: the join that
    /// takes the place spends the proof (<see cref="Queue.JoinConditions.Proof"/>).
    /// </summary>
    /// <param name="room">The room the request is for.</param>
    /// <param name="visitor">The visitor's id from its valid <c>wr_vid</c>.</param>
    /// <param name="proof">The header value as sent; anything, including empty.</param>
    /// <param name="now">Now.</param>
    /// <param name="minimumDifficulty">The room's difficulty now: challenges signed with less are <see cref="ProofOutcome.TooEasy"/>; 0 accepts any.</param>
    /// <param name="verified">The challenge the proof solves, when <see cref="ProofOutcome.Valid"/>.</param>
    public ProofOutcome Verify(
        string room, string visitor, ReadOnlySpan<char> proof, DateTimeOffset now, int minimumDifficulty, out VerifiedProof verified)
    {
        CheckId(room, nameof(room));
        CheckId(visitor, nameof(visitor));
        verified = default;
        if (proof.IsEmpty || proof.Length > MaxProofLength)
        {
            return ProofOutcome.Malformed;
        }

        var colon = proof.LastIndexOf(Separator);
        if (colon < 0)
        {
            return ProofOutcome.Malformed;
        }

        var prefix = proof[..colon];
        var nonce = proof[(colon + 1)..];
        if (nonce.IsEmpty || nonce.Length > MaxNonceLength || nonce.ContainsAnyExcept(NonceCharacters)
            || prefix.ContainsAnyExcept(PrefixCharacters))
        {
            return ProofOutcome.Malformed;
        }

        // <key id>.<payload>.<tag>, with exactly two dots (neither a key id nor base64url has one).
        var firstDot = prefix.IndexOf('.');
        var lastDot = prefix.LastIndexOf('.');
        if (firstDot is <= 0 or > MaxKeyIdLength || lastDot - firstDot - 1 != PayloadChars || prefix.Length - lastDot - 1 != TagChars
            || prefix[(firstDot + 1)..lastDot].Contains('.'))
        {
            return ProofOutcome.Malformed;
        }

        Span<byte> payload = stackalloc byte[PayloadBytes];
        Span<byte> presentedTag = stackalloc byte[TagBytes];
        // Base64Url refuses a last character with any of its unused bits set: a challenge has one spelling.
        if (!Decode(prefix[(firstDot + 1)..lastDot], payload) || !Decode(prefix[(lastDot + 1)..], presentedTag))
        {
            return ProofOutcome.Malformed;
        }

        if (!_subkeys.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(prefix[..firstDot], out var subkey))
        {
            return ProofOutcome.BadSignature;
        }

        Span<byte> tag = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Sign(subkey, prefix[..lastDot], tag);
        if (!CryptographicOperations.FixedTimeEquals(tag[..TagBytes], presentedTag))
        {
            return ProofOutcome.BadSignature;
        }

        int difficulty = payload[DifficultyOffset];
        if (payload[0] != Version || difficulty is < MinDifficulty or > MaxDifficulty)
        {
            return ProofOutcome.Malformed;
        }

        if (RoomFingerprint(room) != BinaryPrimitives.ReadUInt64BigEndian(payload[RoomOffset..]))
        {
            return ProofOutcome.WrongRoom;
        }

        Span<byte> fingerprint = stackalloc byte[FingerprintBytes];
        Fingerprint(visitor, fingerprint);
        if (!fingerprint.SequenceEqual(payload[VisitorOffset..]))
        {
            return ProofOutcome.WrongVisitor;
        }

        var expiresAt = BinaryPrimitives.ReadInt64BigEndian(payload[ExpiryOffset..]);
        if (expiresAt <= now.ToUnixTimeMilliseconds())
        {
            return ProofOutcome.Expired;
        }

        if (difficulty < minimumDifficulty)
        {
            return ProofOutcome.TooEasy;
        }

        // The one hash of the work: SHA-256 of the header value's ASCII bytes (every character was checked to be ASCII).
        Span<byte> input = stackalloc byte[MaxProofLength];
        var length = Encoding.ASCII.GetBytes(proof, input);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ThreadHashes.Sha256(input[..length], hash);
        if (LeadingZeroBits(hash) < difficulty)
        {
            return ProofOutcome.InsufficientWork;
        }

        verified = new VerifiedProof(
            BinaryPrimitives.ReadUInt128BigEndian(payload[IdOffset..RoomOffset]), DateTimeOffset.FromUnixTimeMilliseconds(expiresAt), difficulty);
        return ProofOutcome.Valid;
    }

    /// <summary>The number of leading zero bits of <paramref name="hash"/>, from the most significant bit of its first byte.</summary>
    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        while (hash.Length >= sizeof(ulong))
        {
            var word = BinaryPrimitives.ReadUInt64BigEndian(hash);
            if (word != 0)
            {
                return bits + BitOperations.LeadingZeroCount(word);
            }

            bits += 64;
            hash = hash[sizeof(ulong)..];
        }

        foreach (var b in hash)
        {
            if (b != 0)
            {
                return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
            }

            bits += 8;
        }

        return bits;
    }

    private static bool Decode(ReadOnlySpan<char> text, Span<byte> destination) =>
        Base64Url.DecodeFromChars(text, destination, out var consumed, out var written) == OperationStatus.Done
        && consumed == text.Length && written == destination.Length;

    private static void Sign(byte[] subkey, ReadOnlySpan<char> signed, Span<byte> tag)
    {
        Span<byte> bytes = stackalloc byte[MaxKeyIdLength + 1 + PayloadChars];
        var length = Encoding.ASCII.GetBytes(signed, bytes);
        ThreadHashes.HmacSha256(subkey, bytes[..length], tag);
    }

    /// <summary>The room's <see cref="Fingerprint"/> as a number, remembered: one SHA-256 less per verification.</summary>
    private ulong RoomFingerprint(string room)
    {
        if (_roomFingerprints.TryGetValue(room, out var known))
        {
            return known;
        }

        Span<byte> fingerprint = stackalloc byte[FingerprintBytes];
        Fingerprint(room, fingerprint);
        var value = BinaryPrimitives.ReadUInt64BigEndian(fingerprint);
        if (_roomFingerprints.Count < MaxRememberedRooms)
        {
            _roomFingerprints.TryAdd(room, value);
        }

        return value;
    }

    /// <summary>The first 8 bytes of the SHA-256 of <paramref name="id"/>'s ASCII bytes (a <see cref="VisitorIds"/> value).</summary>
    private static void Fingerprint(string id, Span<byte> destination)
    {
        Span<byte> bytes = stackalloc byte[VisitorIds.MaxLength];
        var length = Encoding.ASCII.GetBytes(id, bytes);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ThreadHashes.Sha256(bytes[..length], hash);
        hash[..FingerprintBytes].CopyTo(destination);
    }

    private static void CheckId(string id, string name)
    {
        if (!VisitorIds.IsValid(id))
        {
            throw new ArgumentException($"{name} must be {VisitorIds.Description}.", name);
        }
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Yarp.Endpoints;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// Operator console sessions. Signing in with an operator's key (<see cref="AdminKey"/>) gives the browser the
/// <see cref="CookieName"/> cookie: the session (<see cref="AdminSession"/>: random id, operator, issue and expiry) and a
/// fingerprint of the operator's key, signed with an HMAC key derived from the token signing keys (so every proxy
/// accepts it, and a signing-key rotation keeps sessions as it keeps tickets). HttpOnly, SameSite=Strict, Path
/// <c>/_wr/admin</c>, Secure unless <c>SecureCookies</c> is off and the request is plain http.
/// A session ends by itself at its expiry, at once on every proxy when its operator signs out (the id is written to
/// Redis until the expiry: <see cref="EndAsync"/>, checked on every call with the cookie), and when the operator's key
/// changes or is removed (the fingerprint no longer matches). Each session has a CSRF token, an HMAC of its id: a
/// state-changing call with the cookie must repeat it in <see cref="WaitingRoomHeaders.Csrf"/> (or the sign-out form's
/// <see cref="CsrfField"/>), which another site's page cannot read.
/// </summary>
internal sealed class AdminSessions
{
    public const string CookieName = "wr_admin";

    /// <summary>The sign-out form's field for the CSRF token (a form cannot send a header).</summary>
    public const string CsrfField = "csrf";

    /// <summary>A longer cookie is not read at all.</summary>
    public const int MaxCookieLength = 512;

    private const string Version = "1";
    private const int FingerprintBytes = 8;

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private readonly AdminKey _keys;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisCallPolicy _policy;
    private readonly TimeProvider _timeProvider;
    private readonly byte[][] _macKeys;
    private readonly bool _secure;

    public AdminSessions(IOptions<WaitingRoomOptions> options, AdminKey keys, IConnectionMultiplexer redis, RedisCallPolicy policy, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _keys = keys;
        _redis = redis;
        _policy = policy;
        _timeProvider = timeProvider;
        Lifetime = options.Value.AdminSessionLifetime;
        _secure = options.Value.SecureCookies;
        _macKeys = [.. options.Value.BuildSigningKeys().Select(k => HMACSHA256.HashData(k.Secret, "YarpWaitingRoom admin session v1"u8))];
    }

    /// <summary>How a cookie fared.</summary>
    public enum Check
    {
        /// <summary>Signed here, unexpired, of a key still configured (whether it was ended is Redis's to say).</summary>
        Valid,

        /// <summary>No cookie.</summary>
        Missing,

        /// <summary>Not a session cookie (too long, bad encoding, bad fields).</summary>
        Malformed,

        /// <summary>The signature does not hold.</summary>
        Forged,

        /// <summary>Past its expiry.</summary>
        Expired,

        /// <summary>Its operator's key was changed or removed since.</summary>
        KeyChanged,
    }

    /// <summary><c>WaitingRoom:AdminSessionLifetime</c>.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>A new session for <paramref name="operatorName"/>, and its cookie's value.</summary>
    public (AdminSession Session, string Cookie) Issue(string operatorName)
    {
        var digest = _keys.KeyDigest(operatorName) ?? throw new ArgumentException($"No operator '{operatorName}'.", nameof(operatorName));
        var now = _timeProvider.GetUtcNow();
        var issued = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var session = new AdminSession(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), operatorName, issued, issued + Lifetime);
        var payload = string.Join(
            '|',
            Version,
            session.Id,
            session.Operator,
            session.IssuedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            session.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            Fingerprint(_macKeys[0], digest));
        var bytes = Encoding.UTF8.GetBytes(payload);
        return (session, Base64Url.EncodeToString(bytes) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_macKeys[0], bytes)));
    }

    /// <summary>Checks <paramref name="cookie"/> without Redis: signature, fields, expiry, key fingerprint.</summary>
    public Check Validate(string? cookie, out AdminSession? session)
    {
        session = null;
        if (string.IsNullOrEmpty(cookie))
        {
            return Check.Missing;
        }

        var dot = cookie.IndexOf('.', StringComparison.Ordinal);
        if (cookie.Length > MaxCookieLength || dot <= 0 || dot != cookie.LastIndexOf('.')
            || !Base64Url.IsValid(cookie.AsSpan(0, dot)) || !Base64Url.IsValid(cookie.AsSpan(dot + 1)))
        {
            return Check.Malformed;
        }

        var payload = Base64Url.DecodeFromChars(cookie.AsSpan(0, dot));
        var signature = Base64Url.DecodeFromChars(cookie.AsSpan(dot + 1));
        var macKey = _macKeys.FirstOrDefault(key => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), signature));
        if (macKey is null)
        {
            return Check.Forged;
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        if (fields.Length != 6 || fields[0] != Version || fields[1].Length != 32
            || !OperatorNames.IsValid(fields[2])
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var issued)
            || !long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || issued > expires || expires > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return Check.Malformed;
        }

        var digest = _keys.KeyDigest(fields[2]);
        if (digest is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Fingerprint(macKey, digest)), Encoding.ASCII.GetBytes(fields[5])))
        {
            return Check.KeyChanged;
        }

        session = new AdminSession(fields[1], fields[2], DateTimeOffset.FromUnixTimeSeconds(issued), DateTimeOffset.FromUnixTimeSeconds(expires));
        return _timeProvider.GetUtcNow() >= session.ExpiresAt ? Check.Expired : Check.Valid;
    }

    /// <summary>
    /// <see cref="Validate"/>, then for a valid cookie whether its session was ended (signed out) on any proxy, which
    /// counts as <see cref="Check.Expired"/>: what the admin guard and the console page both ask of a cookie.
    /// </summary>
    public async Task<(Check Check, AdminSession? Session)> CheckAsync(string? cookie)
    {
        var check = Validate(cookie, out var session);
        if (check == Check.Valid && await IsEndedAsync(session!))
        {
            check = Check.Expired;
        }

        return (check, session);
    }

    /// <summary>Whether <paramref name="session"/> was ended (signed out) on any proxy: one EXISTS.</summary>
    public Task<bool> IsEndedAsync(AdminSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return _policy.RunAsync(() => _redis.GetDatabase().KeyExistsAsync(EndedKey(session)));
    }

    /// <summary>
    /// Ends <paramref name="session"/> on every proxy: its id is kept in Redis until it would have expired (what every call
    /// with the cookie checks), then published on <see cref="EndedChannel"/>, so every proxy ends the session's open live
    /// views at once (<see cref="ConsoleFeeds"/>).
    /// </summary>
    /// <returns>
    /// False when the session is ended but the notice could not be published: open live views then end at their next
    /// session check (<see cref="ConsoleFeed.SessionCheckInterval"/>).
    /// </returns>
    public async Task<bool> EndAsync(AdminSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var left = session.ExpiresAt - _timeProvider.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return true;
        }

        await _policy.RunAsync(() => _redis.GetDatabase().StringSetAsync(EndedKey(session), "1", left + TimeSpan.FromSeconds(1)));
        try
        {
            await _policy.RunAsync(() => _redis.GetSubscriber().PublishAsync(EndedChannel, session.Id));
            return true;
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            return false;
        }
    }

    /// <summary>
    /// The sharded Pub/Sub channel a sign-out publishes the ended session's id on (<see cref="EndAsync"/>); each proxy's
    /// <see cref="ConsoleFeeds"/> listens and ends that session's live views.
    /// </summary>
    public static RedisChannel EndedChannel { get; } = RedisChannel.Sharded("wr:admin:ended");

    /// <summary>Whether <paramref name="value"/> has the shape of a session id (what a notice on <see cref="EndedChannel"/> must carry).</summary>
    public static bool IsSessionId(string? value) =>
        value is { Length: 32 } && value.AsSpan().IndexOfAnyExcept(LowerHex) < 0;

    /// <summary>The session's CSRF token.</summary>
    public string CsrfToken(AdminSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Base64Url.EncodeToString(HMACSHA256.HashData(_macKeys[0], Encoding.UTF8.GetBytes("csrf|" + session.Id)));
    }

    /// <summary>Whether <paramref name="presented"/> is <paramref name="session"/>'s CSRF token (constant time).</summary>
    public bool CsrfMatches(AdminSession session, string? presented)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (string.IsNullOrEmpty(presented) || presented.Length > 64)
        {
            return false;
        }

        var id = Encoding.UTF8.GetBytes("csrf|" + session.Id);
        var given = Encoding.UTF8.GetBytes(presented);
        var matched = false;
        foreach (var key in _macKeys)
        {
            matched |= CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Base64Url.EncodeToString(HMACSHA256.HashData(key, id))), given);
        }

        return matched;
    }

    /// <summary>Sets the session cookie on the answer.</summary>
    public void WriteCookie(HttpContext context, AdminSession session, string cookie)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(session);
        context.Response.Cookies.Append(CookieName, cookie, CookieOptions(context, session.ExpiresAt));
    }

    /// <summary>Clears the session cookie.</summary>
    public void ClearCookie(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, expires: null));
    }

    private CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        Path = WaitingRoomPaths.AdminPrefix,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = _secure || context.Request.IsHttps,
        Expires = expires,
        IsEssential = true,
    };

    private static string Fingerprint(byte[] macKey, byte[] keyDigest) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(macKey, (byte[])[.. "key|"u8, .. keyDigest])[..FingerprintBytes]);

    /// <summary>Where a signed-out session's id is kept until its expiry.</summary>
    internal static RedisKey EndedKey(AdminSession session) => "wr:admin:ended:" + session.Id;
}

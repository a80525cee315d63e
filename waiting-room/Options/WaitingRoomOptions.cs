using System.ComponentModel.DataAnnotations;
using System.Text;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Options;

/// <summary>Bound from <c>WaitingRoom</c>.</summary>
public sealed class WaitingRoomOptions : IValidatableObject
{
    /// <summary>The configuration section the stock proxy and hub bind: <c>WaitingRoom</c>.</summary>
    public const string SectionName = "WaitingRoom";

    /// <summary>
    /// Key required in <c>X-WaitingRoom-Admin-Key</c> by the admin API (the proxies require one of at least
    /// <see cref="MinAdminKeyLength"/> characters; the hubs have no admin API and need none).
    /// </summary>
    public string AdminKey { get; set; } = string.Empty;

    /// <summary>Shortest admin key a proxy accepts.</summary>
    public const int MinAdminKeyLength = 16;

    /// <summary>The operator name the single <see cref="AdminKey"/> acts under (its actions are attributed to it).</summary>
    public const string DefaultOperator = "admin";

    /// <summary>
    /// Named operator keys, operator name → key (each at least <see cref="MinAdminKeyLength"/> characters; names of 1-64
    /// characters of letters, digits, <c>.</c>, <c>_</c>, <c>-</c>): every admin call and console session is attributed
    /// to the operator whose key it used. They work beside <see cref="AdminKey"/> (which acts as
    /// <see cref="DefaultOperator"/>); a proxy needs at least one of them.
    /// </summary>
    public Dictionary<string, string> AdminKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long an operator console session lasts after sign-in (1 minute to 7 days; default 8 hours).</summary>
    public TimeSpan AdminSessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Shortest <see cref="AdminSessionLifetime"/>.</summary>
    internal static readonly TimeSpan MinAdminSessionLifetime = TimeSpan.FromMinutes(1);

    /// <summary>Longest <see cref="AdminSessionLifetime"/>.</summary>
    internal static readonly TimeSpan MaxAdminSessionLifetime = TimeSpan.FromDays(7);

    /// <summary>Every operator and its key: <see cref="AdminKeys"/>, and <see cref="AdminKey"/> as <see cref="DefaultOperator"/> when set.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Operators()
    {
        var operators = AdminKeys.Where(k => !string.IsNullOrEmpty(k.Value)).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
        if (!string.IsNullOrEmpty(AdminKey) && !AdminKeys.ContainsKey(DefaultOperator))
        {
            operators.Add(new(DefaultOperator, AdminKey));
        }

        return operators;
    }

    /// <summary>
    /// Token signing keys, key id → secret (base64 of at least 32 bytes, or a text of at least 32 characters).
    /// All are accepted; <see cref="CurrentSigningKey"/> signs.
    /// </summary>
    public Dictionary<string, string> SigningKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The key id that signs new tokens. Configuration sorts dictionary keys, so "the first key" would mean the
    /// alphabetically first; naming it is explicit. When empty, the alphabetically first key signs.
    /// </summary>
    public string? CurrentSigningKey { get; set; }

    /// <summary>Mark cookies Secure (turn off only for local plain-http stacks).</summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>
    /// The key that turns an invitation room's member ids into visitor ids (<see cref="Invitations.MemberVisitors"/>):
    /// the same on every proxy, and unchanged during a presale (a member who comes back after it changed gets a second
    /// place). Base64 of at least 32 bytes, or a text of at least 32 characters. When empty it is derived from the
    /// alphabetically first signing key: set it when signing keys rotate while a presale runs.
    /// </summary>
    public string? MemberVisitorKey { get; set; }

    /// <summary>The rooms, by name.</summary>
    public Dictionary<string, RoomOptions> Rooms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The member visitor key's bytes: <see cref="MemberVisitorKey"/>, else derived (labelled HMAC) from the alphabetically first signing key.</summary>
    internal byte[] BuildMemberVisitorKey()
    {
        if (!string.IsNullOrEmpty(MemberVisitorKey))
        {
            return DecodeSecret(MemberVisitorKey);
        }

        var first = SigningKeys.OrderBy(k => k.Key, StringComparer.Ordinal).First();
        return System.Security.Cryptography.HMACSHA256.HashData(DecodeSecret(first.Value), "YarpWaitingRoom member visitor key v1"u8);
    }

    /// <summary>The signing keys in order, the current one first.</summary>
    internal IReadOnlyList<SigningKey> BuildSigningKeys()
    {
        var keys = SigningKeys
            .OrderBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => new SigningKey(k.Key, DecodeSecret(k.Value)))
            .ToList();
        var current = string.IsNullOrEmpty(CurrentSigningKey) ? null : keys.Find(k => k.Id == CurrentSigningKey);
        if (current is not null)
        {
            keys.Remove(current);
            keys.Insert(0, current);
        }

        return keys;
    }

    /// <summary>
    /// Checks what data annotations cannot: at least one signing key and each of them long enough, the current key among
    /// them, at least one room, room names of 1-64 characters of <c>[a-z0-9-]</c>, and every room's own rules.
    /// </summary>
    /// <param name="validationContext">The validation context (unused).</param>
    /// <returns>One result per broken rule, naming the configuration key.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKeys.Count == 0)
        {
            yield return new ValidationResult("WaitingRoom:SigningKeys needs at least one key (id → secret).", [nameof(SigningKeys)]);
        }

        foreach (var (id, secret) in SigningKeys)
        {
            string? error = null;
            try
            {
                _ = new SigningKey(id, DecodeSecret(secret));
            }
            catch (ArgumentException ex)
            {
                error = $"WaitingRoom:SigningKeys:{id}: {ex.Message}";
            }

            if (error is not null)
            {
                yield return new ValidationResult(error, [nameof(SigningKeys)]);
            }
        }

        if (!string.IsNullOrEmpty(CurrentSigningKey) && !SigningKeys.ContainsKey(CurrentSigningKey))
        {
            yield return new ValidationResult($"WaitingRoom:CurrentSigningKey '{CurrentSigningKey}' is not among the SigningKeys.", [nameof(CurrentSigningKey)]);
        }

        if (!string.IsNullOrEmpty(MemberVisitorKey) && DecodeSecret(MemberVisitorKey).Length < SigningKey.MinimumSecretBytes)
        {
            yield return new ValidationResult(
                $"WaitingRoom:MemberVisitorKey needs at least {SigningKey.MinimumSecretBytes} bytes (base64) or characters.", [nameof(MemberVisitorKey)]);
        }

        foreach (var (name, key) in AdminKeys)
        {
            if (!OperatorNames.IsValid(name))
            {
                yield return new ValidationResult($"WaitingRoom:AdminKeys: operator name '{name}' must be {OperatorNames.Rule}.", [nameof(AdminKeys)]);
            }
            else if ((key?.Length ?? 0) < MinAdminKeyLength)
            {
                yield return new ValidationResult($"WaitingRoom:AdminKeys:{name} must be at least {MinAdminKeyLength} characters.", [nameof(AdminKeys)]);
            }
        }

        if (AdminSessionLifetime < MinAdminSessionLifetime || AdminSessionLifetime > MaxAdminSessionLifetime)
        {
            yield return new ValidationResult("WaitingRoom:AdminSessionLifetime must be between 00:01:00 and 7.00:00:00.", [nameof(AdminSessionLifetime)]);
        }

        if (Rooms.Count == 0)
        {
            yield return new ValidationResult("WaitingRoom:Rooms needs at least one room.", [nameof(Rooms)]);
        }

        foreach (var (name, room) in Rooms)
        {
            if (!RoomNames.IsValid(name))
            {
                yield return new ValidationResult($"Room name '{name}' must be {RoomNames.Rule}.", [nameof(Rooms)]);
            }

            var results = new List<ValidationResult>();
            Validator.TryValidateObject(room, new ValidationContext(room), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult($"WaitingRoom:Rooms:{name}: {result.ErrorMessage}", result.MemberNames);
            }
        }
    }

    private static byte[] DecodeSecret(string secret)
    {
        if (secret.Length >= 44 && secret.Length % 4 == 0)
        {
            var buffer = new byte[secret.Length];
            if (Convert.TryFromBase64String(secret, buffer, out var written) && written >= SigningKey.MinimumSecretBytes)
            {
                return buffer[..written];
            }
        }

        return Encoding.UTF8.GetBytes(secret);
    }
}

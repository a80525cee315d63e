namespace YarpWaitingRoom.Tokens;

/// <summary>An HMAC-SHA256 key and the id that names it inside tokens, so keys can rotate.</summary>
internal sealed class SigningKey
{
    public const int MinimumSecretBytes = 32;

    public SigningKey(string id, ReadOnlySpan<byte> secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (id.Length > 16 || id.AsSpan().ContainsAnyExcept(TokenAlphabet.KeyIdCharacters))
        {
            throw new ArgumentException("A key id is 1-16 characters of [A-Za-z0-9_-].", nameof(id));
        }

        if (secret.Length < MinimumSecretBytes)
        {
            throw new ArgumentException($"A signing secret needs at least {MinimumSecretBytes} bytes.", nameof(secret));
        }

        Id = id;
        Secret = secret.ToArray();
    }

    public string Id { get; }

    internal byte[] Secret { get; }
}

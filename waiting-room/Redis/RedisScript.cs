using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace YarpWaitingRoom.Redis;

/// <summary>
/// One Lua script with its SHA-1 computed once: a call is an <c>EVALSHA</c> of that digest, and only a server that does
/// not know the script yet (a restart, a failover, another cluster node) gets the text, once, after its <c>NOSCRIPT</c>.
/// StackExchange.Redis' own script cache is keyed by the text: every call through it hashes the whole text again (the
/// scripts with the shared library are several KB, and the join runs per new visitor).
/// </summary>
internal sealed class RedisScript
{
    private const string NoScriptPrefix = "NOSCRIPT";

    private readonly byte[] _hash;

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "Redis names a script by its SHA-1 (EVALSHA): a name, not a protection.")]
    public RedisScript(string name, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(text);
        Name = name;
        Text = text;
        _hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The script's file name (<c>join.lua</c>).</summary>
    public string Name { get; }

    /// <summary>The script as Redis runs it.</summary>
    public string Text { get; }

    /// <summary>The SHA-1 Redis knows the script by, lowercase hex.</summary>
    public string Sha1 => Convert.ToHexStringLower(_hash);

    /// <summary>Runs the script on the node that serves <paramref name="keys"/>; on <c>NOSCRIPT</c>, sends its text once.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync db, RedisKey[] keys, RedisValue[] args)
    {
        ArgumentNullException.ThrowIfNull(db);
        try
        {
            return await db.ScriptEvaluateAsync(_hash, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith(NoScriptPrefix, StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
        }
    }
}

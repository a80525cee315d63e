using System.Globalization;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// The room channel's <c>revoked|&lt;ms&gt;|t1,t2,…</c> message: these admissions ended (end-session.lua), expired
/// (admit.lua) or were reaped while admitted (reap.lua), and their cookies must stop admitting on every proxy. The
/// scripts write it; this is its one parser. Other messages on the channel (<c>freed|</c>, <c>admitted|</c>,
/// <c>state|</c>) do not start with <see cref="Prefix"/>, and their readers ignore this one.
/// </summary>
public static class RevokedMessage
{
    public const string Prefix = "revoked|";

    /// <summary>Reads a <c>revoked|</c> message; false for any other message or a malformed one.</summary>
    public static bool TryParse(string? message, out long endedAtMs, out string[] tickets)
    {
        endedAtMs = 0;
        tickets = [];
        if (message is null || !message.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = message.AsSpan(Prefix.Length);
        var bar = rest.IndexOf('|');
        if (bar <= 0
            || !long.TryParse(rest[..bar], NumberStyles.None, CultureInfo.InvariantCulture, out endedAtMs)
            || bar == rest.Length - 1)
        {
            endedAtMs = 0;
            return false;
        }

        tickets = rest[(bar + 1)..].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (tickets.Length == 0)
        {
            endedAtMs = 0;
            return false;
        }

        return true;
    }
}

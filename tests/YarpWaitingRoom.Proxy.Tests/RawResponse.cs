using System.Globalization;

namespace YarpWaitingRoom.Proxy.Tests;

/// <summary>A raw response: status code (0 when nothing came), head and body as received.</summary>
internal sealed record RawResponse(int Status, string Head, string Body)
{
    public static RawResponse Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var body = end < 0 ? string.Empty : text[(end + 4)..];
        var parts = head.Split(' ', 3);
        var status = parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : 0;
        return new RawResponse(status, head, body);
    }

    /// <summary>Whether <paramref name="text"/> holds a whole response: its head, then its Content-Length or its last chunk.</summary>
    public static bool IsComplete(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var head = text[..end];
        var body = text.Length - end - 4;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return body >= long.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }

            if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
            }
        }

        // Neither: the body runs to the end of the connection (or there is none, as for a 1xx/204/304).
        return false;
    }

    public override string ToString() => $"{Status}: {Head} | {(Body.Length > 300 ? Body[..300] : Body)}";
}

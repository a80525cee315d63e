using System.Buffers;

namespace YarpWaitingRoom.Queue;

/// <summary>
/// The one rule for URLs the waiting room sends a visitor to (return URLs, entry links): local paths only, so never an
/// open redirect, a link off the site, a script URL or a header injection. Shared by the proxies and the hubs; the
/// waiting page's script applies the same rule as <see cref="Pattern"/>.
/// </summary>
/// <remarks>
/// A local URL is at most <see cref="MaxLength"/> characters of visible ASCII (<c>!</c> to <c>~</c>) except the backslash,
/// starts with <c>/</c>, and its second character (if any) is not <c>/</c>. Browsers drop tabs and line breaks from a URL
/// and read <c>\</c> as <c>/</c>, so <c>/\t/evil.example</c> or <c>/\evil.example</c> would become the scheme-relative
/// <c>//evil.example</c>; any whitespace or control character (Unicode ones too), any backslash and any non-ASCII
/// character is therefore refused wherever it stands. A URL in its wire form (percent-encoded, as the proxy writes it)
/// never needs them. Percent-encoded forms (<c>/%09/x</c>, <c>/%2F/x</c>, <c>/%5C/x</c>) stay paths of this site: a
/// browser does not decode them before it resolves the URL.
/// </remarks>
internal static class LocalUrls
{
    public const int MaxLength = 2048;

    /// <summary>
    /// The rule as an ECMAScript regular expression, for the waiting page's script (which carries it verbatim).
    /// <c>(?![\s\S])</c> is the end of the input in JavaScript and .NET alike (.NET's <c>$</c> also matches before a final
    /// newline).
    /// </summary>
    public const string Pattern = @"^\/(?!\/)[!-\[\]-~]{0,2047}(?![\s\S])";

    private static readonly SearchValues<char> Allowed = SearchValues.Create(
        "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url.Length <= MaxLength
        && url[0] == '/'
        && (url.Length == 1 || url[1] != '/')
        && !url.AsSpan().ContainsAnyExcept(Allowed);
}

namespace YarpWaitingRoom.Queue;

/// <summary>
/// The one rule for URLs the waiting room sends a visitor to (return URLs, entry links): local paths only, so never an
/// open redirect, a link off the site, a script URL or a header injection. Shared by the proxies and the hubs.
/// </summary>
public static class LocalUrls
{
    public const int MaxLength = 2048;

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url.Length <= MaxLength
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.AsSpan().ContainsAny('\r', '\n');
}

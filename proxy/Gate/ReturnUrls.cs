namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>Return URLs are local paths only: never an open redirect.</summary>
public static class ReturnUrls
{
    public const int MaxLength = 2048;

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url)
        && url.Length <= MaxLength
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.AsSpan().ContainsAny('\r', '\n');

    public static string Of(HttpRequest request)
    {
        var url = request.PathBase + request.Path + request.QueryString;
        return IsLocal(url) ? url : "/";
    }
}

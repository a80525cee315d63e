using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hub.Extensions;

namespace YarpWaitingRoom.Hub.Endpoints;

/// <summary>
/// Which pages may open a WebSocket here (cross-site WebSocket hijacking: a browser sends the visitor's cookies with an
/// upgrade that any site's script starts, and only <c>Origin</c> tells who started it). Accepted: no <c>Origin</c>
/// (not a browser; it has no visitor's cookies to abuse), an <c>Origin</c> whose host and port are the <c>Host</c> the
/// upgrade was sent to (the site's own pages, whatever scheme a TLS terminator in front of the edge leaves us), and the
/// configured <see cref="SocketHubOptions.AllowedOrigins"/>. Anything else, <c>null</c> included, is refused.
/// </summary>
internal sealed class UpgradeOrigins
{
    private readonly FrozenSet<string> _allowed;

    public UpgradeOrigins(IOptions<SocketHubOptions> options)
    {
        var allowed = new List<string>();
        foreach (var origin in options.Value.AllowedOrigins)
        {
            if (TryNormalize(origin, out var normalized))
            {
                allowed.Add(normalized);
            }
        }

        _allowed = allowed.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public bool IsAllowed(HttpRequest request)
    {
        var origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            return true;
        }

        if (origins.Count > 1 || !TryParse(origins[0], out var origin))
        {
            return false;
        }

        return string.Equals(origin.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            || _allowed.Contains(origin.GetLeftPart(UriPartial.Authority));
    }

    /// <summary><c>scheme://host[:port]</c> as browsers send it (lower case, default port left out); false when not an http(s) origin.</summary>
    public static bool TryNormalize(string? value, out string origin)
    {
        origin = string.Empty;
        if (!TryParse(value, out var uri))
        {
            return false;
        }

        origin = uri.GetLeftPart(UriPartial.Authority);
        return true;
    }

    /// <summary>An http or https origin: a scheme, a host, maybe a port, and nothing else (a path of <c>/</c> at most).</summary>
    private static bool TryParse(string? value, out Uri origin)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && uri.UserInfo.Length == 0
            && uri.AbsolutePath == "/"
            && uri.Query.Length == 0
            && uri.Fragment.Length == 0)
        {
            origin = uri;
            return true;
        }

        origin = null!;
        return false;
    }
}

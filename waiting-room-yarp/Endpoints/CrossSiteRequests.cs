namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// Whether a state-changing visitor call was started by another site's page (a forged form or fetch riding on the
/// visitor's cookies). Browsers say so in <c>Sec-Fetch-Site</c>: anything but <c>same-origin</c> (or <c>none</c>, the
/// user's own navigation) is refused, <c>same-site</c> included (a sibling subdomain is another party). A browser too old
/// to send it sends <c>Origin</c> on a POST; its host must be this request's (ports are not compared: the edge may pass
/// the host without one). A request with neither is not a browser's cross-site request (no cookies to abuse).
/// </summary>
internal static class CrossSiteRequests
{
    public static bool IsCrossSite(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0)
        {
            return !string.Equals(fetchSite, "same-origin", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(fetchSite, "none", StringComparison.OrdinalIgnoreCase);
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        return !Uri.TryCreate(origin, UriKind.Absolute, out var from)
            || !string.Equals(from.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase);
    }
}

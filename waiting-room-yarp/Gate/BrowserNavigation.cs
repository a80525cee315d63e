using Microsoft.Extensions.Primitives;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Whether a request is a browser's page navigation (a GET or HEAD that accepts HTML), which is answered for a person:
/// the gate redirects it to the waiting page, and a Redis failure's 503 tells it to load the page again after the wait
/// (<c>Refresh</c>). Anything else (JSON, other methods) is an API client's, answered with a problem it acts on itself.
/// </summary>
internal static class BrowserNavigation
{
    public static bool Is(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var accept = request.Headers.Accept;
        return !StringValues.IsNullOrEmpty(accept)
            && accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
    }
}

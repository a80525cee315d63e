using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// The response headers every page, asset, problem and redirect the proxies and hubs produce carries (not what a
/// proxy forwards from a backend: see <see cref="UseSecurityHeaders"/>). One policy for all: the waiting page loads
/// only its own script and style sheet (its data is a JSON block, which is never executed), talks only to its own
/// origin (the WebSocket included: CSP 3 matches <c>ws:</c>/<c>wss:</c> of the page's host with <c>'self'</c>), and no
/// other site may frame it. A header the endpoint set itself is left as it is.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>The waiting page's URL carries the ticket: no referrer ever leaves it, not even to the site itself.</summary>
    public const string ReferrerPolicy = "no-referrer";

    public const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    /// <summary>Every header and its value, in the order they are added.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> All { get; } =
    [
        new("Content-Security-Policy", ContentSecurityPolicy),
        new("X-Content-Type-Options", "nosniff"),
        new("X-Frame-Options", "DENY"),
        new("Referrer-Policy", ReferrerPolicy),
        new("Cross-Origin-Opener-Policy", "same-origin"),
        new("Permissions-Policy", PermissionsPolicy),
    ];

    /// <summary>
    /// Adds <see cref="All"/> to every response as it starts (so error pages written after an exception get them too),
    /// except those for which <paramref name="except"/> is true (a proxy's forwarded backend responses). Call first.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, Func<HttpContext, bool>? except = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<SecurityHeadersMiddleware>(new SecurityHeadersFilter(except));
    }

    /// <summary>Adds each header the response does not have yet.</summary>
    public static void AddTo(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (name, value) in All)
        {
            if (!headers.ContainsKey(name))
            {
                headers[name] = value;
            }
        }
    }
}

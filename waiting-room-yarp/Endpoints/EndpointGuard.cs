using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Limits;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Yarp.Console;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Limits;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// What stands before every <c>/_wr/</c> endpoint, whatever the gateway's own middleware is: the security headers on the
/// answer, the client's rate limit (<c>visitor</c> per address on this instance, <c>admin</c> site-wide through
/// <see cref="AdminLimiter"/>), and for the admin API the operator: an operator's key in the header (scripts,
/// <see cref="AdminKey"/>) or a console session cookie (<see cref="AdminSessions"/>) whose state-changing calls carry
/// the session's CSRF token and come from this site. It wraps each endpoint's request delegate (<see cref="Wrap"/>), so
/// it runs after routing chose the endpoint and before the endpoint binds its parameters: an unauthorised or
/// over-limit request is never read. ASP.NET Core's rate-limiting middleware is not used for this: its options
/// (rejection status, <c>OnRejected</c>) belong to the gateway that embeds the waiting room.
/// </summary>
internal sealed partial class EndpointGuard : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _visitor;
    private readonly PartitionedRateLimiter<HttpContext> _admin;
    private readonly PartitionedRateLimiter<HttpContext> _signIn;
    private readonly AdminKey _adminKey;
    private readonly AdminSessions _sessions;
    private readonly GateMetrics _metrics;
    private readonly ILogger<EndpointGuard> _logger;

    public EndpointGuard(
        AdminLimiter adminLimiter, AdminKey adminKey, AdminSessions sessions, IOptions<RateLimitOptions> options, GateMetrics metrics, ILogger<EndpointGuard> logger)
    {
        ArgumentNullException.ThrowIfNull(adminLimiter);
        ArgumentNullException.ThrowIfNull(adminKey);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        var limits = options.Value;
        _visitor = ClientRateLimiting.VisitorLimiter(limits);
        _admin = PartitionedRateLimiter.Create<HttpContext, ClientNetwork>(adminLimiter.Partition);
        _signIn = PartitionedRateLimiter.Create<HttpContext, ClientNetwork>(adminLimiter.SignInPartition);
        _adminKey = adminKey;
        _sessions = sessions;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Which guard an endpoint stands behind.</summary>
    public enum Kind
    {
        /// <summary>The visitor endpoints: ticket status, entry; and the console's page and assets (the visitor limit, no key).</summary>
        Visitor,

        /// <summary>The admin API: its own limit, and an operator (key or session, CSRF token on changes).</summary>
        Admin,

        /// <summary>The console's sign-in: the admin limit and the sign-in limit; the endpoint checks the key itself.</summary>
        SignIn,
    }

    /// <summary>The endpoint's request delegate behind the guard of <paramref name="kind"/> (built once per endpoint).</summary>
    public RequestDelegate Wrap(RequestDelegate endpoint, Kind kind)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        switch (kind)
        {
            case Kind.Visitor:
                Action rejected = () => _metrics.RateLimited(ClientRateLimiting.VisitorPolicy);
                return context => GuardedEndpoints.RunLimitedAsync(context, _visitor, rejected, endpoint);
            case Kind.SignIn:
                Action signInRejected = () => _metrics.RateLimited(AdminLimiter.SignInPolicy);
                return context => GuardedEndpoints.RunLimitedAsync(context, _signIn, signInRejected, endpoint);
            default:
                Action adminRejected = () => _metrics.RateLimited(AdminApi.RateLimitPolicy);
                RequestDelegate withOperator = async context =>
                {
                    if (await AuthenticateAsync(context))
                    {
                        await endpoint(context);
                    }
                };
                return context => GuardedEndpoints.RunLimitedAsync(context, _admin, adminRejected, withOperator);
        }
    }

    /// <summary>
    /// Whether the request comes from an operator: the key header when there is one (a wrong key is refused even with a
    /// valid cookie), else the session cookie, else the same 401 as a missing key. Writes the refusal when not.
    /// </summary>
    private async Task<bool> AuthenticateAsync(HttpContext context)
    {
        var request = context.Request;
        var cookie = request.Cookies[AdminSessions.CookieName];
        if (request.Headers.ContainsKey(AdminKey.HeaderName) || string.IsNullOrEmpty(cookie))
        {
            return await _adminKey.CheckAsync(context);
        }

        AdminSessions.Check check;
        AdminSession? session;
        try
        {
            (check, session) = await _sessions.CheckAsync(cookie);
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            // Whether the session was ended cannot be told: not let in, not signed out either.
            await RedisFailureProblems.For(ex, context.Response).ExecuteAsync(context);
            return false;
        }

        if (check != AdminSessions.Check.Valid)
        {
            var reason = "session-" + check.ToString().ToLowerInvariant();
            _metrics.AdminRejected(reason);
            Log.SessionRefused(_logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", reason);
            _sessions.ClearCookie(context);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Console session ended",
                detail: $"The console session is no longer valid ({reason}). Sign in again at {AdminApi.Prefix}/.",
                type: ProblemTypes.AdminSession).ExecuteAsync(context);
            return false;
        }

        if (!IsSafe(request.Method) && !await HasCsrfTokenAsync(context, session!))
        {
            _metrics.AdminRejected("csrf");
            Log.CsrfRefused(_logger, session!.Operator, request.Method, context.GetEndpoint()?.DisplayName);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "CSRF token required",
                detail: $"A change made with the console session must come from the console, with the session's token in {WaitingRoomHeaders.Csrf}.",
                type: ProblemTypes.Csrf).ExecuteAsync(context);
            return false;
        }

        context.Features.Set(new AdminOperator(session!.Operator, session));
        return true;
    }

    /// <summary>
    /// Whether a state-changing call made with the session cookie is the console's: from this site, and with the session's
    /// CSRF token in the header, or in the sign-out form's field (a form cannot send headers; it is read only for a form
    /// post, and an admin form is a few bytes).
    /// </summary>
    private async Task<bool> HasCsrfTokenAsync(HttpContext context, AdminSession session)
    {
        var request = context.Request;
        if (CrossSiteRequests.IsCrossSite(request))
        {
            return false;
        }

        var presented = request.Headers[WaitingRoomHeaders.Csrf].ToString();
        if (presented.Length == 0 && request.HasFormContentType && request.ContentLength is > 0 and <= ConsoleEndpoints.MaxFormBytes)
        {
            var form = await request.ReadFormAsync(context.RequestAborted);
            presented = form[AdminSessions.CsrfField].ToString();
        }

        return _sessions.CsrfMatches(session, presented);
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    public void Dispose()
    {
        _visitor.Dispose();
        _admin.Dispose();
        _signIn.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminSessionRefused, LogLevel.Warning, "Console call from {Client} refused: {Reason}")]
        public static partial void SessionRefused(ILogger logger, string client, string reason);

        [LoggerMessage(EventIds.AdminCsrfRefused, LogLevel.Warning, "Console call by {Operator} refused: {Method} {Endpoint} without the session's CSRF token, or from another site")]
        public static partial void CsrfRefused(ILogger logger, string @operator, string method, string? endpoint);
    }
}

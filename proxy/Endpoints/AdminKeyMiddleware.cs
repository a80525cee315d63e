using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Proxy.Diagnostics;

namespace YarpWaitingRoom.Proxy.Endpoints;

/// <summary>
/// Requires <c>X-WaitingRoom-Admin-Key</c> to equal <c>WaitingRoom:AdminKey</c> on every request under
/// <see cref="AdminApi.Prefix"/>, compared in constant time (over SHA-256 digests, so the length of the key does not leak
/// either). Anything else: 401 with a problem body, a log line, a metric. A middleware after routing and the rate limiter
/// but before the endpoint, not an endpoint filter: filters run after the parameters are bound, so a body would be read
/// and parsed (400, 415) before the key was looked at. By path, not by endpoint metadata: routing answers a wrong
/// method or content type with endpoints of its own (405, 415), and those too must not answer without the key.
/// </summary>
internal sealed partial class AdminKeyMiddleware
{
    public const string HeaderName = WaitingRoomHeaders.AdminKey;

    public const string ProblemType = ProblemTypes.AdminKey;

    private readonly RequestDelegate _next;
    private readonly GateMetrics _metrics;
    private readonly ILogger<AdminKeyMiddleware> _logger;
    private readonly byte[]? _expected;

    public AdminKeyMiddleware(RequestDelegate next, IOptions<WaitingRoomOptions> options, GateMetrics metrics, ILogger<AdminKeyMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _next = next;
        _metrics = metrics;
        _logger = logger;
        _expected = string.IsNullOrEmpty(options.Value.AdminKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminKey));
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Path.StartsWithSegments(AdminApi.Prefix))
        {
            return _next(context);
        }

        var presented = context.Request.Headers[HeaderName].ToString();
        if (_expected is not null
            && presented.Length > 0
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected))
        {
            return _next(context);
        }

        var reason = _expected is null ? "not-configured" : presented.Length == 0 ? "missing" : "wrong";
        _metrics.AdminRejected(reason);
        Log.Rejected(_logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", reason);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Admin key required",
            detail: $"Send the admin key in {HeaderName}.",
            type: ProblemType).ExecuteAsync(context);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminKeyRejected, LogLevel.Warning, "Admin call from {Client} refused: key {Reason}")]
        public static partial void Rejected(ILogger logger, string client, string reason);
    }
}

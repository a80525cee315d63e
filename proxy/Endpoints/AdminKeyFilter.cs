using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Proxy.Diagnostics;

namespace YarpWaitingRoom.Proxy.Endpoints;

/// <summary>
/// Requires <c>X-WaitingRoom-Admin-Key</c> to equal <c>WaitingRoom:AdminKey</c>, compared in constant time (over SHA-256
/// digests, so the length of the key does not leak either). Anything else: 401 with a problem body, a log line, a metric.
/// </summary>
public sealed partial class AdminKeyFilter(IOptions<WaitingRoomOptions> options, GateMetrics metrics, ILogger<AdminKeyFilter> logger) : IEndpointFilter
{
    public const string HeaderName = "X-WaitingRoom-Admin-Key";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.Value.AdminKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminKey));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (_expected is null
            || presented.Length == 0
            || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected))
        {
            var reason = _expected is null ? "not-configured" : presented.Length == 0 ? "missing" : "wrong";
            metrics.AdminRejected(reason);
            Log.Rejected(logger, context.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "?", reason);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Admin key required",
                detail: $"Send the admin key in {HeaderName}.",
                type: "urn:yarp-waiting-room:problem:admin-key");
        }

        return await next(context);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminKeyRejected, LogLevel.Warning, "Admin call from {Client} refused: key {Reason}")]
        public static partial void Rejected(ILogger logger, string client, string reason);
    }
}

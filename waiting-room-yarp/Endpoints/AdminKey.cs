using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Diagnostics;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// The admin API's key: <c>X-WaitingRoom-Admin-Key</c> must equal <c>WaitingRoom:AdminKey</c>, compared in constant time
/// (over SHA-256 digests, so the length of the key does not leak either). Anything else: 401 with a problem body, a log
/// line, a metric. <see cref="EndpointGuard"/> asks before the endpoint binds anything (a body would otherwise be read
/// and parsed, 400 or 415, before the key was looked at), for every endpoint under <see cref="AdminApi.Prefix"/>
/// including the catch-all that stands in for routing's own 404 and 405 answers there.
/// </summary>
internal sealed partial class AdminKey
{
    public const string HeaderName = WaitingRoomHeaders.AdminKey;

    public const string ProblemType = ProblemTypes.AdminKey;

    private readonly GateMetrics _metrics;
    private readonly ILogger<AdminKey> _logger;
    private readonly byte[]? _expected;

    public AdminKey(IOptions<WaitingRoomOptions> options, GateMetrics metrics, ILogger<AdminKey> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _metrics = metrics;
        _logger = logger;
        _expected = string.IsNullOrEmpty(options.Value.AdminKey) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminKey));
    }

    /// <summary>Whether the request carries the key; if not, the 401 is written (and counted, and logged) before this returns false.</summary>
    public async ValueTask<bool> CheckAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var presented = context.Request.Headers[HeaderName].ToString();
        if (_expected is not null
            && presented.Length > 0
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected))
        {
            return true;
        }

        var reason = _expected is null ? "not-configured" : presented.Length == 0 ? "missing" : "wrong";
        _metrics.AdminRejected(reason);
        Log.Rejected(_logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", reason);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Admin key required",
            detail: $"Send the admin key in {HeaderName}.",
            type: ProblemType).ExecuteAsync(context);
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminKeyRejected, LogLevel.Warning, "Admin call from {Client} refused: key {Reason}")]
        public static partial void Rejected(ILogger logger, string client, string reason);
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Console;
using YarpWaitingRoom.Yarp.Diagnostics;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// The operators' keys: <c>WaitingRoom:AdminKeys:&lt;name&gt;</c>, and <c>WaitingRoom:AdminKey</c> as
/// <see cref="WaitingRoomOptions.DefaultOperator"/>. A presented key (the <c>X-WaitingRoom-Admin-Key</c> header of a
/// script, or the console's sign-in form) is hashed once and compared in constant time with every operator's key digest,
/// all of them whichever matches (<see cref="Match"/>): neither the key's length nor which operator it belongs to, nor
/// whether it belongs to any, shows in the time taken. Anything else: 401 with a problem body, a log line, a metric.
/// <see cref="EndpointGuard"/> asks before the endpoint binds anything, for every endpoint under
/// <see cref="AdminApi.Prefix"/> including the catch-all that stands in for routing's own 404 and 405 answers there.
/// </summary>
internal sealed partial class AdminKey
{
    public const string HeaderName = WaitingRoomHeaders.AdminKey;

    public const string ProblemType = ProblemTypes.AdminKey;

    private readonly GateMetrics _metrics;
    private readonly ILogger<AdminKey> _logger;
    private readonly string[] _names;
    private readonly byte[][] _digests;

    public AdminKey(IOptions<WaitingRoomOptions> options, GateMetrics metrics, ILogger<AdminKey> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _metrics = metrics;
        _logger = logger;
        var operators = options.Value.Operators();
        _names = [.. operators.Select(o => o.Key)];
        _digests = [.. operators.Select(o => Digest(o.Value))];
    }

    /// <summary>Whether any operator key is configured (without one every call is refused as <c>not-configured</c>).</summary>
    public bool Configured => _digests.Length > 0;

    /// <summary>The operator whose key <paramref name="presented"/> is, or null; the same work whatever the answer.</summary>
    public string? Identify(string? presented)
    {
        var index = Match(Digest(presented ?? string.Empty), _digests, out _);
        return index < 0 || string.IsNullOrEmpty(presented) ? null : _names[index];
    }

    /// <summary>
    /// A fingerprint of <paramref name="operatorName"/>'s key as configured now (null when the operator is gone): a console
    /// session carries it, so changing or removing an operator's key ends that operator's sessions.
    /// </summary>
    public byte[]? KeyDigest(string operatorName)
    {
        var index = Array.IndexOf(_names, operatorName);
        return index < 0 ? null : _digests[index];
    }

    /// <summary>
    /// The index of <paramref name="digest"/> among <paramref name="digests"/>, or -1; every digest is compared in constant
    /// time, after a match too, so the time taken says nothing of where (or whether) it matched.
    /// <paramref name="compared"/> counts the comparisons made (always all of them).
    /// </summary>
    internal static int Match(ReadOnlySpan<byte> digest, byte[][] digests, out int compared)
    {
        ArgumentNullException.ThrowIfNull(digests);
        var found = -1;
        compared = 0;
        for (var i = 0; i < digests.Length; i++)
        {
            var equal = CryptographicOperations.FixedTimeEquals(digest, digests[i]);
            compared++;
            // Branch-free choice: keeps the first match without a data-dependent jump.
            var take = (equal ? 1 : 0) & (found < 0 ? 1 : 0);
            found = (take * i) + ((1 - take) * found);
        }

        return found;
    }

    /// <summary>
    /// Whether the request carries an operator's key in <see cref="HeaderName"/>; if so the operator is set on the request
    /// (<see cref="AdminOperator"/>), if not the 401 is written (and counted, and logged) before this returns false.
    /// </summary>
    public async ValueTask<bool> CheckAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var presented = context.Request.Headers[HeaderName].ToString();
        if (Identify(presented) is { } name)
        {
            context.Features.Set(new AdminOperator(name, Session: null));
            return true;
        }

        await RefuseAsync(context, presented, $"Send an operator's admin key in {HeaderName}, or sign in to the console at {AdminApi.Prefix}/.");
        return false;
    }

    /// <summary>The reason a presented key was refused, counted and logged; the caller writes the answer.</summary>
    public string Refused(HttpContext context, string? presented)
    {
        ArgumentNullException.ThrowIfNull(context);
        var reason = !Configured ? "not-configured" : string.IsNullOrEmpty(presented) ? "missing" : "wrong";
        _metrics.AdminRejected(reason);
        Log.Rejected(_logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", reason);
        return reason;
    }

    /// <summary>Counts, logs and answers a refused key: 401 with a problem body saying <paramref name="detail"/>.</summary>
    public Task RefuseAsync(HttpContext context, string? presented, string detail)
    {
        Refused(context, presented);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Admin key required",
            detail: detail,
            type: ProblemType).ExecuteAsync(context);
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminKeyRejected, LogLevel.Warning, "Admin call from {Client} refused: key {Reason}")]
        public static partial void Rejected(ILogger logger, string client, string reason);
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Reservation.Diagnostics;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>
/// 401 unless <c>X-WaitingRoom-Admin-Key</c> equals <see cref="AdminOptions.Key"/>, as the proxies answer: compared in
/// constant time over SHA-256 digests (so neither the key nor its length leaks), the same problem type. The admin
/// endpoints bind nothing from the request, so a filter sees the key before anything is read.
/// </summary>
internal sealed partial class AdminKeyFilter : IEndpointFilter
{
    public const string HeaderName = WaitingRoomHeaders.AdminKey;

    private readonly byte[] _expected;
    private readonly ILogger<AdminKeyFilter> _logger;

    public AdminKeyFilter(IOptions<AdminOptions> options, ILogger<AdminKeyFilter> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Key));
        _logger = logger;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (presented.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _expected))
        {
            return await next(context);
        }

        Log.Refused(_logger, context.HttpContext.Request.Path, presented.Length == 0 ? "missing" : "wrong");
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Admin key required",
            detail: $"Send the admin key in {HeaderName}.",
            type: ProblemTypes.AdminKey);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminKeyRejected, LogLevel.Warning, "Admin call {Path} refused: key {Reason}")]
        public static partial void Refused(ILogger logger, PathString path, string reason);
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Reservation.Data;
using YarpWaitingRoom.Reservation.Diagnostics;
using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>
/// Answers every endpoint's failure to reach PostgreSQL (<see cref="DatabaseFailure.IsUnavailable"/>) with <c>503</c>,
/// <c>Retry-After</c> and the <see cref="ProblemTypes.DatabaseUnavailable"/> problem; any other exception is left to the
/// default handler (<c>500</c>). Each answer is counted; the log gets one line a second at most, however many requests fail.
/// </summary>
internal sealed partial class DatabaseUnavailableHandler(
    IProblemDetailsService problemDetails,
    IOptions<DatabaseOptions> options,
    ReservationMetrics metrics,
    TimeProvider timeProvider,
    ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(1);

    private readonly LogThrottle _logThrottle = new(LogInterval, timeProvider);
    private readonly string _retryAfterSeconds =
        Math.Ceiling(options.Value.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        if (!DatabaseFailure.IsUnavailable(exception))
        {
            return false;
        }

        metrics.DatabaseUnavailable();
        if (_logThrottle.TryEnter(out var heldBack))
        {
            Log.DatabaseUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, heldBack, exception);
        }

        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = _retryAfterSeconds;

        // Status and Retry-After stand even for a client that accepts no problem JSON (then the body stays empty).
        await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.DatabaseUnavailable,
                Title = "Database unavailable",
                Detail = $"The reservation database cannot be reached at the moment. Retry in {_retryAfterSeconds} seconds.",
            },
        });
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.DatabaseUnavailable, LogLevel.Warning,
            "PostgreSQL is out of reach: answered {Method} {Path} with 503 ({HeldBack} more such answers since the last line)")]
        public static partial void DatabaseUnavailable(ILogger logger, string method, PathString path, long heldBack, Exception exception);
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// What the proxy answers when Redis fails a request, the same on every path (gate, <c>/_wr/</c> endpoints, admin API):
/// busy (<see cref="RedisBusyException"/>) → 503 <see cref="ProblemTypes.Busy"/> with Retry-After
/// <see cref="BusyRetryAfterSeconds"/>; unreachable, stalled or breaker open → 503 <see cref="ProblemTypes.Unavailable"/>
/// with Retry-After <see cref="UnavailableRetryAfterSeconds"/>. Never cached. A browser's navigation (an entry link
/// followed, a gated page, the console) is also told to come back by itself after that wait (<c>Refresh</c>), so a
/// visitor whose turn came during a Redis hiccup is not left on an error page.
/// </summary>
internal static class RedisFailureProblems
{
    public const int BusyRetryAfterSeconds = 2;

    public const int UnavailableRetryAfterSeconds = 5;

    /// <summary>The header that has a browser load the page again after a number of seconds.</summary>
    public const string RefreshHeader = "Refresh";

    /// <summary>The answer to <paramref name="failure"/> (one that <see cref="RedisCallPolicy.IsRedisFailure"/>), with its headers set.</summary>
    public static ProblemHttpResult For(Exception failure, HttpResponse response) =>
        failure is RedisBusyException ? Busy(response) : Unavailable(response);

    public static ProblemHttpResult Busy(HttpResponse response)
    {
        SetHeaders(response, BusyRetryAfterSeconds);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Busy",
            detail: $"The waiting room is busy. Retry after {BusyRetryAfterSeconds} s; your place in the queue is kept.",
            type: ProblemTypes.Busy);
    }

    public static ProblemHttpResult Unavailable(HttpResponse response)
    {
        SetHeaders(response, UnavailableRetryAfterSeconds);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Unavailable",
            detail: $"The waiting room cannot reach its store right now. Retry after {UnavailableRetryAfterSeconds} s.",
            type: ProblemTypes.Unavailable);
    }

    private static void SetHeaders(HttpResponse response, int retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(response);
        var seconds = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        response.Headers.RetryAfter = seconds;
        response.Headers.CacheControl = "no-store";
        // Browsers honour an HTTP Refresh as they do a meta refresh (the page reloads after the wait; Chromium does so for
        // this problem body, not for an empty one). Asking again is safe: only a GET or HEAD navigation gets it, and an
        // entry code used once is resumed by its own browser (WaitingRoomApi.EnterAsync).
        if (BrowserNavigation.Is(response.HttpContext.Request))
        {
            response.Headers[RefreshHeader] = seconds;
        }
    }
}

using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// On the <c>/_wr/</c> endpoints and the admin API: a Redis failure anywhere in a handler is answered with
/// <see cref="RedisFailureProblems"/> (a clean 503 with Retry-After, never a 500), and logged with its exception, at most
/// once a second per endpoint.
/// </summary>
internal sealed partial class RedisFailureFilter(TimeProvider timeProvider, ILogger<RedisFailureFilter> logger) : IEndpointFilter
{
    private readonly LogThrottle _throttle = new(TimeSpan.FromSeconds(1), timeProvider);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            if (_throttle.TryEnter())
            {
                // The endpoint, not the path: a path can carry a ticket.
                Log.RedisFailed(logger, context.HttpContext.GetEndpoint()?.DisplayName, ex);
            }

            return RedisFailureProblems.For(ex, context.HttpContext.Response);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.EndpointRedisFailed, LogLevel.Warning, "{Endpoint}: Redis failed; answered 503 (at most one line a second)")]
        public static partial void RedisFailed(ILogger logger, string? endpoint, Exception exception);
    }
}

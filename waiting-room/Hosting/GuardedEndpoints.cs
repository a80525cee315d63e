using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// Endpoints that guard themselves, whatever the host's middleware is (the gateway's <c>/_wr/</c> endpoints, the hub's page
/// and socket): the guard wraps each endpoint's request delegate, so it runs after routing chose the endpoint and before
/// the endpoint binds its parameters, and the host's own rate-limiting options are left as they are.
/// </summary>
internal static class GuardedEndpoints
{
    /// <summary>Replaces the request delegate of every endpoint <paramref name="builder"/> makes with <paramref name="wrap"/> of it.</summary>
    public static TBuilder WrapRequestDelegates<TBuilder>(this TBuilder builder, Func<RequestDelegate, RequestDelegate> wrap)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(wrap);
        builder.Finally(endpoint => endpoint.RequestDelegate = wrap(
            endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' has no request delegate to guard.")));
        return builder;
    }

    /// <summary>
    /// The security headers on the answer, then one permit of <paramref name="limiter"/> (refused: <paramref name="rejected"/>
    /// counts it and the 429 problem with Retry-After is written), then <paramref name="next"/>.
    /// </summary>
    public static async Task RunLimitedAsync(HttpContext context, PartitionedRateLimiter<HttpContext> limiter, Action rejected, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(rejected);
        ArgumentNullException.ThrowIfNull(next);
        SecurityHeaders.AddTo(context.Response.Headers);
        using var lease = await limiter.AcquireAsync(context, 1, context.RequestAborted).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            rejected();
            await ClientRateLimiting.WriteTooManyAsync(context, lease).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }
}

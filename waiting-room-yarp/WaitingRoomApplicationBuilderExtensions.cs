using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Gate;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The waiting room's place in the gateway's pipeline and routes.</summary>
public static class WaitingRoomApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the gate to YARP's proxy pipeline: <c>app.MapReverseProxy(p =&gt; { p.UseWaitingRoom(); p.UseSessionAffinity(); ... })</c>.
    /// On routes whose metadata names a room, visitors without a valid admission are queued: HTML requests are sent to
    /// the waiting page, API requests answered <c>503</c> with <c>Retry-After</c> and JSON. Other routes pass untouched,
    /// with no Redis call, except that a client's own <c>X-WaitingRoom-Visitor</c> header is removed on every route.
    /// </summary>
    /// <param name="proxy">The proxy pipeline given to <c>MapReverseProxy</c>.</param>
    /// <returns>The same pipeline, for chaining.</returns>
    public static IReverseProxyApplicationBuilder UseWaitingRoom(this IReverseProxyApplicationBuilder proxy)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        proxy.UseMiddleware<WaitingRoomGateMiddleware>();
        return proxy;
    }

    /// <summary>
    /// Maps the waiting room's endpoints under <c>/_wr/</c>: ticket status (<c>/_wr/rooms/{room}/tickets/{ticket}</c>),
    /// entry (<c>/_wr/enter/{room}</c>), the admitted visitors' keep-alive (<c>/_wr/keepalive.js</c>, <c>POST /_wr/alive</c>)
    /// the admin API (<c>/_wr/admin/...</c>, an operator's key in <c>X-WaitingRoom-Admin-Key</c>) and the operator console
    /// (<c>/_wr/admin/</c>: sign in with an operator's key, then a session cookie).
    /// They carry their own rate limits, admin key check and security headers; no other middleware is needed.
    /// </summary>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <returns>A builder for conventions on all of the waiting room's endpoints.</returns>
    public static IEndpointConventionBuilder MapWaitingRoomEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var guard = endpoints.ServiceProvider.GetRequiredService<EndpointGuard>();
        var group = endpoints.MapGroup(string.Empty);
        WaitingRoomApi.Map(group, guard);
        YarpWaitingRoom.Yarp.KeepAlive.KeepAliveApi.Map(group, guard);
        AdminApi.Map(group, guard);
        YarpWaitingRoom.Yarp.Console.ConsoleEndpoints.MapPublic(group, guard);
        return group;
    }
}

using YarpWaitingRoom.Hub.Extensions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the waiting room's WebSocket early in an application's pipeline.</summary>
public static class WaitingRoomHubApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the hub's WebSocket (<c>/ws</c>) at this point of the pipeline, with the same checks as the endpoint
    /// <c>MapWaitingRoomHub()</c> maps; other requests go on. A socket's request lives as long as the socket, and every
    /// middleware it passed keeps its state for that long: call this after the forwarded-headers middleware (the
    /// per-address limits read the client's address) and before the others, and each idle socket costs less memory.
    /// </summary>
    /// <param name="app">The application's pipeline.</param>
    /// <returns>The same pipeline, for chaining.</returns>
    public static IApplicationBuilder UseWaitingRoomSocket(this IApplicationBuilder app) => HubRegistration.UseSocket(app);
}

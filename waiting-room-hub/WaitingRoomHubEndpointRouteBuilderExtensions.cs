using YarpWaitingRoom.Hub.Extensions;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the waiting room's socket hub.</summary>
public static class WaitingRoomHubEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the waiting page (<c>GET /_wr/wait/{room}?t=…</c>, ko/en), its script and style sheet
    /// (<c>/_wr/wait-assets/…</c>, served from the assembly) and the WebSocket (<c>/ws</c>). They carry their own
    /// WebSocket handling, visitor rate limit and security headers; no other middleware is needed.
    /// </summary>
    /// <param name="endpoints">The application's endpoint route builder.</param>
    /// <returns>A builder for conventions on all of the hub's endpoints.</returns>
    public static IEndpointConventionBuilder MapWaitingRoomHub(this IEndpointRouteBuilder endpoints) => HubRegistration.Map(endpoints);
}

using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Proxy.Diagnostics;
using YarpWaitingRoom.Proxy.Rooms;

namespace YarpWaitingRoom.Proxy.Gate;

/// <summary>
/// On gated routes: a backend response carrying <c>X-WaitingRoom-Command: end-session</c> ends the visitor's session
/// at once (the slot frees for the next in line, the admission cookie stops admitting on every proxy) and the header
/// never reaches the client.
/// </summary>
internal sealed partial class EndSessionTransformProvider(
    WaitingRoomCookies cookies, AdmissionSignal admissionSignal, TimeProvider timeProvider, ILogger<EndSessionTransformProvider> logger)
    : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Route.Metadata?.ContainsKey(WaitingRoomHeaders.RouteMetadataKey) != true)
        {
            return;
        }

        context.AddResponseTransform(async transform =>
        {
            var headers = transform.HttpContext.Response.Headers;
            if (!headers.TryGetValue(WaitingRoomHeaders.Command, out var command))
            {
                return;
            }

            headers.Remove(WaitingRoomHeaders.Command);
            if (!string.Equals(command, WaitingRoomHeaders.EndSessionCommand, StringComparison.OrdinalIgnoreCase)
                || transform.HttpContext.Features.Get<AdmittedVisit>() is not { } visit)
            {
                return;
            }

            cookies.ClearAdmission(transform.HttpContext, visit.Room);
            if (await visit.Room.Queue.EndSessionAsync(visit.Ticket, "backend"))
            {
                // Refused here at once; every other proxy hears it on the room's channel (or reads it from the log).
                visit.Room.Revoked.Add(visit.Ticket, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                Log.SessionEnded(logger, visit.Room.Name, visit.Visitor);
                admissionSignal.CapacityFreed(visit.Room.Name);
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SessionEnded, LogLevel.Information, "Room {Room}: session of {Visitor} ended by the backend")]
        public static partial void SessionEnded(ILogger logger, string room, string visitor);
    }
}

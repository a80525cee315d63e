using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Redis;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// On gated routes: a backend response carrying <c>X-WaitingRoom-Command: end-session</c> ends the visitor's session
/// at once (the slot frees for the next in line, the admission cookie stops admitting on every proxy) and the header
/// never reaches the client. When Redis fails that call, the backend's response still goes out as it is (without the
/// header): the failure is logged and counted, and the session ends by expiry instead.
/// </summary>
internal sealed partial class EndSessionTransformProvider(
    WaitingRoomCookies cookies,
    AdmissionSignal admissionSignal,
    RoomMetrics metrics,
    TimeProvider timeProvider,
    ILogger<EndSessionTransformProvider> logger)
    : ITransformProvider
{
    /// <summary>The reason recorded with the <c>ended</c> event of a session the backend ended.</summary>
    public const string EndedByBackend = "backend";

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

            bool ended;
            try
            {
                ended = await visit.Room.Queue.EndSessionAsync(visit.Ticket, EndedByBackend);
            }
            catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
            {
                metrics.SessionEndFailed(visit.Room.Name);
                Log.SessionEndFailed(logger, visit.Room.Name, visit.Visitor, ex);
                return;
            }

            cookies.ClearAdmission(transform.HttpContext, visit.Room);
            if (ended)
            {
                // Refused here at once; every other proxy hears it on the room's channel (or reads it from the log).
                visit.Room.Revoked.Add(visit.Ticket, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                metrics.SessionEnded(visit.Room.Name);
                Log.SessionEnded(logger, visit.Room.Name, visit.Visitor);
                admissionSignal.CapacityFreed(visit.Room.Name);
            }
        });
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.SessionEnded, LogLevel.Information, "Room {Room}: session of {Visitor} ended by the backend")]
        public static partial void SessionEnded(ILogger logger, string room, string visitor);

        [LoggerMessage(EventIds.SessionEndFailed, LogLevel.Warning,
            "Room {Room}: the backend ended the session of {Visitor}, but Redis failed; its response goes out unchanged and the session ends by expiry")]
        public static partial void SessionEndFailed(ILogger logger, string room, string visitor, Exception exception);
    }
}

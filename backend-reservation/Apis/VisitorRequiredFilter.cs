using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Reservation.Diagnostics;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>401 without <c>X-WaitingRoom-Visitor</c>, 400 when it is malformed (several values, too long, odd characters).</summary>
internal sealed partial class VisitorRequiredFilter(ReservationMetrics metrics, ILogger<VisitorRequiredFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var values = context.HttpContext.Request.Headers[WaitingRoomHeaders.Visitor];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            metrics.BadRequest("visitor-missing");
            Log.MissingVisitor(logger, context.HttpContext.Request.Path);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Visitor required",
                detail: $"Requests must come through the waiting room, which names the visitor in {WaitingRoomHeaders.Visitor}.",
                type: ProblemTypes.VisitorMissing);
        }

        if (values.Count > 1 || !VisitorIds.IsValid(values[0]))
        {
            metrics.BadRequest("visitor-malformed");
            Log.MalformedVisitor(logger, context.HttpContext.Request.Path);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Malformed visitor",
                detail: $"{WaitingRoomHeaders.Visitor} must be one value of {VisitorIds.Description}.",
                type: ProblemTypes.VisitorMalformed);
        }

        return await next(context);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.MissingVisitor, LogLevel.Warning, "Refused {Path}: no visitor header")]
        public static partial void MissingVisitor(ILogger logger, PathString path);

        [LoggerMessage(EventIds.MalformedVisitor, LogLevel.Warning, "Refused {Path}: malformed visitor header")]
        public static partial void MalformedVisitor(ILogger logger, PathString path);
    }
}

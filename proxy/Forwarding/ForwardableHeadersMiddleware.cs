using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Diagnostics;

namespace YarpWaitingRoom.Proxy.Forwarding;

/// <summary>
/// First in YARP's pipeline: refuses a request whose headers break <see cref="ForwardableHeaders"/> with 400 and the
/// problem <c>urn:yarp-waiting-room:problem:invalid-header</c> naming the header, before the gate or the forwarder sees it.
/// </summary>
internal sealed class ForwardableHeadersMiddleware
{
    public const string ProblemType = ProblemTypes.InvalidHeader;

    private readonly RequestDelegate _next;
    private readonly GateMetrics _metrics;

    public ForwardableHeadersMiddleware(RequestDelegate next, GateMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(metrics);
        _next = next;
        _metrics = metrics;
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var invalid = ForwardableHeaders.FirstInvalid(context.Request.Headers);
        if (invalid is null)
        {
            return _next(context);
        }

        _metrics.InvalidHeader();
        return TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "Invalid request header",
            detail: $"Header '{invalid}' carries a character that is not forwarded: names must be tokens, values visible ASCII, spaces and tabs.",
            type: ProblemType).ExecuteAsync(context);
    }
}

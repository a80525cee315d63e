using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Tokens;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Yarp.KeepAlive;

/// <summary>
/// The keep-alive of admitted visitors: <c>GET /_wr/keepalive.js</c> (<see cref="KeepAliveScript"/>) and
/// <c>POST /_wr/alive</c>, whose admission cookies name the tickets to keep. Behind the visitor guard (rate limit per
/// address, security headers); no Redis call per request: the tickets are noted in memory and written once a second
/// per room (<see cref="KeepAliveFlusher"/>).
/// </summary>
internal static partial class KeepAliveApi
{
    /// <summary>Results of a keep-alive call, as counted in <c>waitingroom_keepalives_total{result}</c>.</summary>
    public const string Accepted = "accepted";

    /// <inheritdoc cref="Accepted"/>
    public const string NoAdmission = "no-admission";

    /// <inheritdoc cref="Accepted"/>
    public const string Ended = "ended";

    /// <inheritdoc cref="Accepted"/>
    public const string CrossSite = "cross-site";

    public static void Map(IEndpointRouteBuilder app, EndpointGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        var script = app.ServiceProvider.GetRequiredService<KeepAliveScript>();
        var api = app.MapGroup(string.Empty);
        api.WrapRequestDelegates(endpoint => guard.Wrap(endpoint, EndpointGuard.Kind.Visitor));
        api.MapMethods(WaitingRoomPaths.KeepAliveScript, [HttpMethods.Get, HttpMethods.Head], script.ServeAsync);
        api.MapPost(WaitingRoomPaths.KeepAlive, Alive);
    }

    /// <summary>
    /// Notes every admission the request's cookies prove (valid, bound to the browser's valid <c>wr_vid</c>, not ended)
    /// for the next flush: <c>204</c>. None: <c>410 admission-ended</c> when a genuine one ended, otherwise
    /// <c>403 no-admission</c> (none, forged, another visitor's, expired); either tells the script to stop. A request
    /// another site started (<see cref="CrossSiteRequests"/>, the rule of every state-changing visitor call) is refused
    /// with <c>403 cross-site</c> before any cookie is read; the admission cookies are <c>SameSite=Lax</c> and would not
    /// go with another site's POST anyway.
    /// </summary>
    public static Results<NoContent, ProblemHttpResult> Alive(HttpContext context, [AsParameters] WaitingRoomServices services)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        context.Response.Headers.CacheControl = "no-store";
        if (CrossSiteRequests.IsCrossSite(context.Request))
        {
            services.Metrics.KeepAlive(CrossSite);
            Log.CrossSite(services.Logger, context.Request.Headers["Sec-Fetch-Site"].ToString(), context.Request.Headers.Origin.ToString());
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site keep-alive",
                detail: "A keep-alive is accepted only from the site's own pages.", type: ProblemTypes.CrossSite);
        }

        var now = services.TimeProvider.GetUtcNow();
        var visitor = services.Cookies.ReadVisitor(context, now);
        var noted = false;
        var ended = false;
        foreach (var room in services.Rooms.All)
        {
            var admission = RequestCookie.Find(context.Request, room.CookieName);
            if (admission.IsEmpty)
            {
                continue;
            }

            var status = services.Tokens.Validate(admission, TokenKind.Admission, room.Name, visitor, now, out var claims);
            if (status != TokenStatus.Valid)
            {
                services.Metrics.TokenRejected(room.Name, "cookie", status);
                Log.CookieRefused(services.Logger, room.Name, status);
            }
            else if (room.Revoked.Contains(claims!.Ticket))
            {
                ended = true;
            }
            else
            {
                room.KeepAlives.Note(claims.Ticket);
                noted = true;
            }
        }

        if (noted)
        {
            services.Metrics.KeepAlive(Accepted);
            return TypedResults.NoContent();
        }

        if (ended)
        {
            services.Metrics.KeepAlive(Ended);
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Admission ended",
                detail: "The admission ended (the session is over, was ended or given up): there is nothing to keep alive.",
                type: ProblemTypes.AdmissionEnded);
        }

        services.Metrics.KeepAlive(NoAdmission);
        return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "No admission",
            detail: "The request carries no valid admission cookie: there is nothing to keep alive.",
            type: ProblemTypes.NoAdmission);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.KeepAliveCookieRefused, LogLevel.Warning, "Room {Room}: keep-alive with an admission cookie refused ({Status})")]
        public static partial void CookieRefused(ILogger logger, string room, TokenStatus status);

        [LoggerMessage(EventIds.KeepAliveCrossSite, LogLevel.Warning, "Keep-alive refused as cross-site (Sec-Fetch-Site '{FetchSite}', Origin '{Origin}')")]
        public static partial void CrossSite(ILogger logger, string fetchSite, string origin);
    }
}

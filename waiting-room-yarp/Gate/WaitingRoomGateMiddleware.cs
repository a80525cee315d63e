using System.Globalization;
using System.Text.Json;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Limits;
using YarpWaitingRoom.Yarp.Rooms;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Runs inside YARP's proxy pipeline, for routes whose metadata names a room. Admitted visitors (an admission cookie
/// that is valid, names the visitor of the browser's valid <c>wr_vid</c>, and whose admission has not ended:
/// <see cref="Room.Revoked"/>) pass with <c>X-WaitingRoom-Visitor</c> and cost no Redis call, except one sliding
/// refresh per half session.
/// Everyone else joins the queue: admitted at once when the queue is off and nobody waits, otherwise sent to the
/// waiting page (HTML) or answered 503 with Retry-After and a JSON body (API clients).
/// </summary>
internal sealed partial class WaitingRoomGateMiddleware
{
    /// <summary>The longest Retry-After told to a pre-queue participant (it must still heartbeat within AbandonAfter).</summary>
    private static readonly TimeSpan PrequeueRetryAfterCap = TimeSpan.FromSeconds(15);

    private readonly RequestDelegate _next;
    private readonly GatedRoutes _routes;
    private readonly TokenService _tokens;
    private readonly WaitingRoomCookies _cookies;
    private readonly RedisCallPolicy _redisCalls;
    private readonly GateMetrics _metrics;
    private readonly JoinLimiter _joinLimiter;
    private readonly EntryCredentials _credentials;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<WaitingRoomGateMiddleware> _logger;
    private readonly LogThrottle _busyLog;
    private readonly LogThrottle _soldOutLog;
    private readonly LogThrottle _networkCapLog;

    /// <summary>What a client refused for its network's cap is told to wait before asking again.</summary>
    private static readonly TimeSpan NetworkCapRetryAfter = TimeSpan.FromSeconds(30);

    public WaitingRoomGateMiddleware(
        RequestDelegate next,
        GatedRoutes routes,
        TokenService tokens,
        WaitingRoomCookies cookies,
        RedisCallPolicy redisCalls,
        GateMetrics metrics,
        JoinLimiter joinLimiter,
        EntryCredentials credentials,
        TimeProvider timeProvider,
        ILogger<WaitingRoomGateMiddleware> logger)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(cookies);
        ArgumentNullException.ThrowIfNull(redisCalls);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(joinLimiter);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);

        _next = next;
        _routes = routes;
        _tokens = tokens;
        _cookies = cookies;
        _redisCalls = redisCalls;
        _metrics = metrics;
        _joinLimiter = joinLimiter;
        _credentials = credentials;
        _timeProvider = timeProvider;
        _logger = logger;
        _busyLog = new LogThrottle(TimeSpan.FromSeconds(1), timeProvider);
        _soldOutLog = new LogThrottle(TimeSpan.FromSeconds(1), timeProvider);
        _networkCapLog = new LogThrottle(TimeSpan.FromSeconds(1), timeProvider);
    }

    public Task InvokeAsync(HttpContext context)
    {
        // Only the gate says who a visitor is, on every route (a gated one sets it again below).
        context.Request.Headers.Remove(WaitingRoomHeaders.Visitor);
        var route = _routes.Of(context.GetReverseProxyFeature().Route.Config);
        return route.Room is null ? _next(context) : GateAsync(context, route, route.Room);
    }

    private async Task GateAsync(HttpContext context, GatedRoute route, Room room)
    {
        var started = _timeProvider.GetTimestamp();
        var outcome = GateOutcome.Passed;
        try
        {
            // The hot path, an admitted visitor whose session needs no slide yet, is checked in memory and goes straight on.
            var now = _timeProvider.GetUtcNow();
            var visitor = _cookies.ReadVisitor(context, now);
            var claims = CheckAdmission(context, room, visitor, now);
            if (claims is not null && !NeedsSlide(room, claims, now))
            {
                await PassAsync(context, room, claims.Visitor, claims.Ticket);
            }
            else
            {
                outcome = await DecideAsync(context, room, visitor, claims, now);
            }
        }
        finally
        {
            var elapsed = _timeProvider.GetElapsedTime(started);
            route.Traffic!.Record(elapsed);
            route.Metrics!.Request(outcome, elapsed, context.Response.StatusCode);
        }
    }

    /// <summary>
    /// The room's admission cookie, when it admits: valid, bound to the browser's proven <paramref name="visitor"/>
    /// (without a valid <c>wr_vid</c>, or with another one, it is <see cref="TokenStatus.WrongVisitor"/>) and its
    /// admission not ended (<see cref="Room.Revoked"/>). A cookie that does not admit is counted, logged and cleared.
    /// </summary>
    private TokenClaims? CheckAdmission(HttpContext context, Room room, string? visitor, DateTimeOffset now)
    {
        var admission = RequestCookie.Find(context.Request, room.CookieName);
        if (admission.IsEmpty)
        {
            return null;
        }

        var status = _tokens.Validate(admission, TokenKind.Admission, room.Name, visitor, now, out var claims);
        if (status != TokenStatus.Valid)
        {
            _metrics.TokenRejected(room.Name, "cookie", status);
            Log.CookieRejected(_logger, room.Name, status);
            _cookies.ClearAdmission(context, room);
            return null;
        }

        if (room.Revoked.Contains(claims!.Ticket))
        {
            // The admission ended (here or on another proxy): ended by the backend, expired or reaped.
            _metrics.CookieRevoked(room.Name);
            Log.CookieRevoked(_logger, room.Name, claims.Visitor);
            _cookies.ClearAdmission(context, room);
            return null;
        }

        return claims;
    }

    /// <summary>
    /// Everything but the hot path: an admitted visitor whose session is due a slide (<paramref name="claims"/> not
    /// null), or a join.
    /// </summary>
    private async Task<GateOutcome> DecideAsync(HttpContext context, Room room, string? visitor, TokenClaims? claims, DateTimeOffset now)
    {
        if (claims is not null)
        {
            if (await KeepSessionAsync(context, room, claims))
            {
                await PassAsync(context, room, claims.Visitor, claims.Ticket);
                return GateOutcome.Passed;
            }

            // The session ended in Redis (purchase done, expired, reaped): the cookie no longer admits.
            _cookies.ClearAdmission(context, room);
        }

        var newVisitor = visitor is null;
        visitor ??= _cookies.IssueVisitor(context);
        // What the room asks for a new place (invitation key, proof of work), checked in process first: a bad one is
        // answered here without any Redis call (not even the limiter's); a missing one lets the join answer a held place
        // and refuse a new one.
        if (await _credentials.CheckAsync(context, room, visitor, now) is not { } entry)
        {
            return GateOutcome.Refused;
        }

        visitor = entry.Visitor;
        SiteLimitLease permit;
        try
        {
            permit = await _joinLimiter.TryJoinAsync(context, newVisitor);
        }
        catch (RedisBusyException ex)
        {
            // Busy, not down: the join's own call would be shed too, so shed it now rather than wait twice.
            if (_busyLog.TryEnter())
            {
                Log.RedisBusy(_logger, room.Name, ex);
            }

            return await ShedAsync(context);
        }

        using (permit)
        {
            if (!permit.IsAcquired)
            {
                _metrics.RateLimited(permit.RefusedBy!.Policy, permit.RefusedBy.Scope);
                SecurityHeaders.AddTo(context.Response.Headers);
                await ClientRateLimiting.WriteTooManyAsync(context, permit);
                return GateOutcome.RateLimited;
            }
        }

        if (!_redisCalls.AllowsCall)
        {
            return await FailAsync(context, room, visitor);
        }

        JoinResult join;
        var redeemed = RedeemResult.Redeemed;
        try
        {
            join = await room.Queue.JoinAsync(visitor, queueOff: !room.QueueOn, WithNetwork(entry.Conditions, context));
            if (join.State == TicketState.Active && !join.IsNew)
            {
                // Admitted earlier and proven by the visitor cookie: start (or resume) the session.
                redeemed = await room.Queue.RedeemAsync(join.Ticket);
                if (redeemed == RedeemResult.AlreadyUsed)
                {
                    await room.Queue.RefreshSessionAsync(join.Ticket);
                }
            }
        }
        catch (RedisBusyException ex)
        {
            // Busy, not down: this request is shed, the room stays protected. The join is idempotent per visitor, so
            // a retry finds the place this call may have taken.
            if (_busyLog.TryEnter())
            {
                Log.RedisBusy(_logger, room.Name, ex);
            }

            return await ShedAsync(context);
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            Log.RedisUnavailable(_logger, room.Name, ex);
            return await FailAsync(context, room, visitor);
        }

        switch (join.Refusal)
        {
            case JoinRefusal.SoldOut:
                await RefuseSoldOutAsync(context, room);
                return GateOutcome.SoldOut;
            case JoinRefusal.CredentialNeeded when entry.InvitationMissing:
                await _credentials.RefuseMissingInvitationAsync(context, room);
                return GateOutcome.Refused;
            case JoinRefusal.CredentialNeeded:
                await ChallengeAsync(context, room, visitor, now);
                return GateOutcome.Challenged;
            case JoinRefusal.ProofReplayed:
                await _credentials.RefuseReplayAsync(context, room);
                return GateOutcome.Refused;
            case JoinRefusal.NetworkCap:
                await RefuseNetworkCapAsync(context, room);
                return GateOutcome.NetworkCap;
        }

        if (join.IsNew)
        {
            _metrics.NewPlace(room.Name, newVisitor);
            if (entry.Conditions.Proof is not null)
            {
                _credentials.Solved(room);
            }
        }

        if (join.State == TicketState.Active && redeemed != RedeemResult.AdmissionGone)
        {
            _cookies.SetAdmission(context, room, visitor, join.Ticket);
            await PassAsync(context, room, visitor, join.Ticket);
            return join.IsNew ? GateOutcome.DirectAdmit : GateOutcome.Passed;
        }

        await DivertAsync(context, room, visitor, join, now);
        return GateOutcome.Diverted;
    }

    /// <summary>Whether the session is past half its life: no Redis call before that.</summary>
    private static bool NeedsSlide(Room room, TokenClaims claims, DateTimeOffset now) =>
        claims.ExpiresAt - now <= room.Options.SessionDuration / 2;

    /// <summary>Slides the session (it is past half its life); false when it ended in Redis.</summary>
    private async Task<bool> KeepSessionAsync(HttpContext context, Room room, TokenClaims claims)
    {
        try
        {
            if (!await room.Queue.RefreshSessionAsync(claims.Ticket))
            {
                return false;
            }
        }
        catch (Exception ex) when (RedisCallPolicy.IsRedisFailure(ex))
        {
            // The cookie is still valid: keep serving the visitor; the next request tries to slide again.
            Log.SlideFailed(_logger, room.Name, ex);
            return true;
        }

        _cookies.SetAdmission(context, room, claims.Visitor, claims.Ticket);
        return true;
    }

    private Task PassAsync(HttpContext context, Room room, string visitor, string ticket)
    {
        // The credentials for a place are the waiting room's business, not the backend's.
        context.Request.Headers.Remove(ChallengeService.ProofHeader);
        context.Request.Headers.Remove(EntryCredentials.AccessHeader);
        context.Request.Headers[WaitingRoomHeaders.Visitor] = visitor;
        context.Features.Set(new AdmittedVisit(room, visitor, ticket));
        return _next(context);
    }

    private async Task DivertAsync(HttpContext context, Room room, string visitor, JoinResult join, DateTimeOffset now)
    {
        SecurityHeaders.AddTo(context.Response.Headers);
        // The return URL rides in the signed ticket (the room keeps none in Redis): the hubs put it into the entry link.
        var returnUrl = ReturnUrls.Of(context.Request);
        var ticketToken = _tokens.Issue(TokenKind.Ticket, room.Name, visitor, join.Ticket, now + TokenLifetimes.Ticket, returnUrl);
        var waitUrl = WaitingRoomPaths.WaitPage(room.Name, ticketToken, returnUrl);
        var response = context.Response;
        response.Headers.CacheControl = "no-store";

        if (BrowserNavigation.Is(context.Request))
        {
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.Location = waitUrl;
            return;
        }

        var retryAfter = Math.Max(1, (int)Math.Ceiling(room.Options.AdmitInterval.TotalSeconds));
        // The start as the join read it (this proxy's snapshot may not have the sale yet), else as the snapshot has it.
        var startsAt = join.State == TicketState.Prequeue ? join.StartsAt ?? room.Snapshot.Sale?.StartsAt : null;
        if (startsAt is { } start && start > now)
        {
            // Nothing changes for a pre-queue participant before the start: asking again sooner gains nothing.
            retryAfter = Math.Max(retryAfter, (int)Math.Min(Math.Ceiling((start - now).TotalSeconds), PrequeueRetryAfterCap.TotalSeconds));
        }

        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        response.ContentType = "application/json; charset=utf-8";
        var prequeue = join.State == TicketState.Prequeue;
        var body = new QueuedResponse(
            room.Name,
            ticketToken,
            prequeue ? "prequeue" : "waiting",
            prequeue ? null : join.Position,
            prequeue ? null : room.EtaSeconds(join.Position, now),
            waitUrl,
            WaitingRoomPaths.SocketUrl(room.Name, ticketToken),
            join.Receipt,
            startsAt,
            room.Snapshot.SoldOut);
        await JsonSerializer.SerializeAsync(response.Body, body, ProxyJsonContext.Default.QueuedResponse, context.RequestAborted);
    }

    /// <summary>
    /// The visitor holds no place and the room's challenge is on: a browser is sent to the challenge page (the hubs serve
    /// it: a Web Worker solves it and comes back with the proof in a cookie); an API client gets 503 with the challenge,
    /// to come back with <c>X-WaitingRoom-Proof</c> (and the <c>wr_vid</c> cookie it is bound to).
    /// </summary>
    private async Task ChallengeAsync(HttpContext context, Room room, string visitor, DateTimeOffset now)
    {
        SecurityHeaders.AddTo(context.Response.Headers);
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (BrowserNavigation.Is(context.Request))
        {
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.Location = WaitingRoomPaths.ChallengePage(room.Name, ReturnUrls.Of(context.Request));
            return;
        }

        var challenge = _credentials.Issue(room, visitor, now);
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = "0";
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(
            response.Body, new ChallengedResponse(room.Name, "challenge", challenge, ChallengeService.ProofHeader), ProxyJsonContext.Default.ChallengedResponse, context.RequestAborted);
    }

    /// <summary>
    /// The room closes once sold out and nothing is left: no place was taken. A browser is sent to the sold-out page (the
    /// hubs serve it, 410, in the visitor's language); an API client gets 410 with a problem body. Either tells the
    /// visitor that seats may come back (holds expire) and asking again later is how to find out.
    /// </summary>
    private async Task RefuseSoldOutAsync(HttpContext context, Room room)
    {
        if (_soldOutLog.TryEnter())
        {
            Log.SoldOutRefused(_logger, room.Name);
        }

        SecurityHeaders.AddTo(context.Response.Headers);
        context.Response.Headers.CacheControl = "no-store";
        if (BrowserNavigation.Is(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = WaitingRoomPaths.SoldOutPage(room.Name, ReturnUrls.Of(context.Request));
            return;
        }

        await TypedResults.Problem(
            statusCode: StatusCodes.Status410Gone,
            title: "Sold out",
            detail: $"Room '{room.Name}' is sold out and takes no new places. Seats may come back when holds expire: ask again later.",
            type: ProblemTypes.SoldOut).ExecuteAsync(context);
    }

    /// <summary>
    /// The join's <paramref name="conditions"/> with the client's network (<see cref="PlaceNetwork"/>), which a new waiting
    /// place counts against while the room's <c>MaxPlacesPerNetwork</c> is on. The join itself reads the cap in force (an
    /// operator's change reaches it before this proxy's snapshot does), so the network goes along whatever this proxy's
    /// snapshot says; it is computed from the connection alone, no I/O.
    /// </summary>
    private static JoinConditions WithNetwork(JoinConditions conditions, HttpContext context) =>
        conditions with { Network = PlaceNetwork.Of(context) };

    /// <summary>
    /// The client's network holds the room's <c>MaxPlacesPerNetwork</c> waiting places already: no place was taken (a
    /// visitor who holds one got it back before any check). Browser and API client alike get <c>429</c> with
    /// <c>Retry-After</c> and a problem body saying so plainly: places free up as the network's visitors are admitted or
    /// leave, so asking again later is how to get one.
    /// </summary>
    private async Task RefuseNetworkCapAsync(HttpContext context, Room room)
    {
        _metrics.NetworkCapRefused(room.Name);
        if (_networkCapLog.TryEnter())
        {
            Log.NetworkCapRefused(_logger, room.Name, room.Snapshot.MaxPlacesPerNetworkOf(room.Options));
        }

        SecurityHeaders.AddTo(context.Response.Headers);
        context.Response.Headers.CacheControl = "no-store";
        var retryAfter = (int)NetworkCapRetryAfter.TotalSeconds;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await TypedResults.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many places from your network",
            detail: $"Too many places in the queue of room '{room.Name}' are held from your network already. Try again later (in {retryAfter} s or more): places free up as others are let in or leave.",
            type: ProblemTypes.NetworkCap).ExecuteAsync(context);
    }

    /// <summary>Redis is busy (a spike): 503 with a short Retry-After and a problem body; nothing is proxied.</summary>
    private static async Task<GateOutcome> ShedAsync(HttpContext context)
    {
        SecurityHeaders.AddTo(context.Response.Headers);
        await RedisFailureProblems.Busy(context.Response).ExecuteAsync(context);
        return GateOutcome.Shed;
    }

    /// <summary>
    /// Redis is unreachable: the room's <c>FailurePolicy</c> decides. <c>Open</c> serves the request as if admitted, under
    /// the visitor id the browser proved with its signed <c>wr_vid</c> (checked in process) or was given just now, so the
    /// backend, which requires one, serves it too; no Redis is needed for either. <c>Closed</c> answers 503 with the
    /// unavailable problem (<see cref="RedisFailureProblems.Unavailable"/>: a browser comes back by itself).
    /// </summary>
    private async Task<GateOutcome> FailAsync(HttpContext context, Room room, string visitor)
    {
        if (room.Options.FailurePolicy == Options.FailurePolicy.Open)
        {
            context.Request.Headers[WaitingRoomHeaders.Visitor] = visitor;
            await _next(context);
            return GateOutcome.FailedOpen;
        }

        SecurityHeaders.AddTo(context.Response.Headers);
        await RedisFailureProblems.Unavailable(context.Response).ExecuteAsync(context);
        return GateOutcome.FailedClosed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.CookieRejected, LogLevel.Warning, "Room {Room}: admission cookie refused ({Status})")]
        public static partial void CookieRejected(ILogger logger, string room, TokenStatus status);

        [LoggerMessage(EventIds.CookieRevoked, LogLevel.Warning, "Room {Room}: admission cookie of {Visitor} refused: that admission ended")]
        public static partial void CookieRevoked(ILogger logger, string room, string visitor);

        [LoggerMessage(EventIds.RedisUnavailable, LogLevel.Warning, "Room {Room}: Redis unavailable; applying the failure policy")]
        public static partial void RedisUnavailable(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.SessionSlideFailed, LogLevel.Warning, "Room {Room}: Redis unavailable; the session was not slid, its admission cookie still admits")]
        public static partial void SlideFailed(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.SoldOutRefused, LogLevel.Information, "Room {Room}: sold out and closed; new visitors are turned away (at most one line a second)")]
        public static partial void SoldOutRefused(ILogger logger, string room);

        [LoggerMessage(EventIds.NetworkCapRefused, LogLevel.Information, "Room {Room}: a network holds {MaxPlacesPerNetwork} waiting places already; its new visitors are turned away with 429 (at most one line a second)")]
        public static partial void NetworkCapRefused(ILogger logger, string room, int maxPlacesPerNetwork);

        [LoggerMessage(EventIds.RedisBusy, LogLevel.Warning, "Room {Room}: Redis busy; shedding requests with 503 (at most one line a second)")]
        public static partial void RedisBusy(ILogger logger, string room, Exception exception);
    }
}

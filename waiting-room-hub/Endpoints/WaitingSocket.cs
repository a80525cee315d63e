using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;
using YarpWaitingRoom.Hub.Push;
using YarpWaitingRoom.Hub.Sessions;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Hub.Endpoints;

/// <summary>
/// <c>/ws?room=&lt;room&gt;&amp;t=&lt;signed ticket&gt;</c>. Before the upgrade: rate limited per address (429, the
/// <c>visitor</c> policy), the <c>Origin</c> checked (<see cref="UpgradeOrigins"/>, else 403) and the address's open
/// sockets capped (<see cref="SocketHubOptions.MaxSocketsPerAddress"/>, else 429). The ticket is verified before anything
/// is sent (invalid: close 1008); a ticket's sockets beyond <see cref="SocketHubOptions.MaxSocketsPerTicket"/> close,
/// oldest first, with 4001. Then, by the ticket's state: waiting → position now and every push tick; admitted and not yet entered →
/// the admission notice; gone → <c>gone</c> and a normal close. The client sends <c>{"type":"heartbeat"}</c> every
/// HeartbeatInterval; anything else closes with 1008, frames over MaxFrameBytes with 1009.
/// </summary>
internal sealed partial class WaitingSocket(
    RoomDirectory rooms,
    TokenService tokens,
    AdmissionNotifier notifier,
    SessionCloser closer,
    HubDrain drain,
    SendDeadlines deadlines,
    UpgradeOrigins origins,
    SocketAddressLimiter addresses,
    IOptions<SocketHubOptions> options,
    HubMetrics metrics,
    TimeProvider timeProvider,
    ILogger<WaitingSocket> logger)
{
    /// <summary>How long a client whose address holds too many sockets is asked to wait.</summary>
    private static readonly TimeSpan AddressCapRetryAfter = TimeSpan.FromSeconds(10);

    private readonly SocketHubOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "WebSocket required",
                detail: "Connect to /ws with a WebSocket upgrade.",
                type: ProblemTypes.WebSocketRequired).ExecuteAsync(context);
            return;
        }

        if (drain.IsDraining)
        {
            // Stopping: refused before the upgrade, so the edge retries the request on another hub (next upstream).
            Log.RefusedWhileDraining(logger);
            context.Response.Headers.RetryAfter = "1";
            await TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Hub restarting",
                detail: "This hub is stopping; connect again (another hub takes the connection).",
                type: ProblemTypes.HubDraining).ExecuteAsync(context);
            return;
        }

        if (!origins.IsAllowed(context.Request))
        {
            // Another site's page (cross-site WebSocket hijacking): refused before the upgrade.
            Log.OriginRefused(logger, context.Request.Headers.Origin.ToString(), context.Request.Host.Value ?? string.Empty);
            metrics.Refused("origin");
            await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Origin not allowed",
                detail: "WebSockets are accepted from this site's own pages only.",
                type: ProblemTypes.OriginNotAllowed).ExecuteAsync(context);
            return;
        }

        using var permit = addresses.TryOpen(context);
        if (!permit.IsAcquired)
        {
            Log.AddressCapReached(logger, Hosting.ClientRateLimiting.ClientAddress(context).ToString(), _options.MaxSocketsPerAddress);
            metrics.Refused("address-cap");
            context.Response.Headers.RetryAfter = ((int)AddressCapRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many connections",
                detail: $"Your address has {_options.MaxSocketsPerAddress} connections open to this hub already; close one or retry later.",
                type: ProblemTypes.TooManySockets).ExecuteAsync(context);
            return;
        }

        // The ticket is read and checked before the upgrade, into what the socket keeps (the request's strings, the ticket
        // token among them, are let go of once the socket is open).
        var ticket = ReadTicket(context);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var aborted = context.RequestAborted;
        LetGoOfRequest(context);

        if (ticket.Status != TokenStatus.Valid || ticket.Room is not { } room || ticket.Claims is not { } claims)
        {
            Log.TicketRejected(logger, ticket.RoomName, ticket.Status);
            metrics.Rejected(ticket.Room?.Name ?? "unknown");
            metrics.Closed((int)WebSocketCloseStatus.PolicyViolation);
            await CloseQuietlyAsync(socket, WebSocketCloseStatus.PolicyViolation, "invalid ticket: " + ticket.Status, aborted);
            return;
        }

        var session = new HubSession(
            room, claims.Ticket, claims.Visitor, ticket.IsOwner, socket, _options.SendQueueCapacity, deadlines, claims.ReturnUrl, context.Features.Get<IHttpRequestLifetimeFeature>());
        room.Add(session);
        metrics.Connected(room.Name);
        foreach (var older in room.Surplus(session.Ticket, _options.MaxSocketsPerTicket))
        {
            closer.Close(older, HubCloseCodes.Replaced, HubCloseCodes.ReplacedDescription);
        }

        try
        {
            if (drain.IsDraining)
            {
                // Accepted just as the drain began: handed back like the others, without a greeting.
                closer.Close(session, HubDrain.ServiceRestart, "service restart");
            }
            else
            {
                metrics.Opened(room.Name, await GreetAsync(room, session));
            }

            // The receive loop is inline, not a method of its own: an idle socket keeps one state machine, not two.
            while (session.Socket.State == WebSocketState.Open)
            {
                // Waits for the next frame without a buffer (a zero-byte read): an idle socket holds none.
                var result = await session.Socket.ReceiveAsync(Memory<byte>.Empty, aborted);
                if (!await ReceiveFrameAsync(session, result, aborted))
                {
                    break;
                }

                metrics.In("heartbeat");
                room.Heartbeat(session.Ticket);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The client vanished; its place stays until AbandonAfter passes without a heartbeat.
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            // Redis is unreachable: nothing to tell yet. 1013 (try again later): the page reconnects with backoff.
            Log.RedisUnavailable(logger, room.Name, ex);
            closer.Close(session, (WebSocketCloseStatus)1013, "try again later");
        }
        finally
        {
            room.Remove(session);
            metrics.ClosedSession(room.Name);
            // What is still queued (a last message, a close frame) goes out before the socket is disposed, or not at all
            // when the client does not take it within SendTimeout (no timer unless something is still being sent).
            var sent = session.CompleteAsync();
            if (!sent.IsCompleted)
            {
                await sent.WaitAsync(_options.SendTimeout, timeProvider, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (session.Overflowed)
            {
                metrics.Dropped(room.Name);
                Log.SlowClient(logger, room.Name, session.Ticket);
            }
        }
    }

    /// <summary>
    /// The <c>room</c> and <c>t</c> query parameters, the ticket token checked against the room, and whether the upgrade
    /// came with the ticket's own visitor's <c>wr_vid</c> cookie.
    /// </summary>
    private SocketTicket ReadTicket(HttpContext context)
    {
        var roomName = context.Request.Query["room"].ToString();
        if (!rooms.TryGet(roomName, out var room))
        {
            return new SocketTicket(roomName, TokenStatus.WrongRoom, null, null, false);
        }

        var now = timeProvider.GetUtcNow();
        var status = tokens.Validate(context.Request.Query["t"].ToString(), TokenKind.Ticket, room.Name, visitor: null, now, out var claims);
        var isOwner = claims is not null && tokens.VisitorOf(context.Request.Cookies[VisitorCookie.Name], now) == claims.Visitor;
        return new SocketTicket(roomName, status, room, claims, isOwner);
    }

    /// <summary>
    /// Lets go of what the request parsed and carried once its socket is open (the request lives as long as the socket):
    /// the target and query string with the ticket token, the parsed query and cookies, the headers.
    /// </summary>
    private static void LetGoOfRequest(HttpContext context)
    {
        if (context.Features.Get<IHttpRequestFeature>() is { } request)
        {
            request.RawTarget = request.Path;
            request.QueryString = string.Empty;
        }

        context.Features.Set<IQueryFeature>(null);
        context.Features.Set<IRequestCookiesFeature>(null);
        context.Request.Headers.Clear();
    }

    /// <summary>The first message, by the ticket's state; returns that state's name for the metrics.</summary>
    private async Task<string> GreetAsync(RoomContext room, HubSession session)
    {
        var now = timeProvider.GetUtcNow();
        var place = await room.Queue.GetStatusAsync(session.Ticket);
        if (place.Placed is { } placed)
        {
            // A pre-queue ticket the draw has placed: admissions and departures name the drawn place's ticket.
            room.Place(session.Ticket, placed, room.SessionsOf(session.Ticket));
        }

        switch (place.State)
        {
            case TicketState.Prequeue:
                session.Sequence = HubSession.InPrequeue;
                session.Receipt = place.Receipt;
                room.Heartbeat(session.Ticket);
                var sale = (room.Snapshot ??= await room.Switch.ReadAsync(now)).Sale;
                if (sale is null)
                {
                    // Scheduled after this hub's last read: read it now (the countdown needs the start).
                    room.Snapshot = await room.Switch.ReadAsync(now);
                    sale = room.Snapshot.Sale;
                }

                var startsAt = sale?.StartsAt ?? now;
                session.TryMarkStartTold(startsAt);
                session.Enqueue(HubMessages.Prequeue(place.Receipt!, startsAt));
                metrics.Out("prequeue");
                TellSoldOut(room, session);
                return "prequeue";
            case TicketState.Waiting:
                session.Sequence = place.Sequence;
                session.Receipt = place.Receipt;
                room.Heartbeat(session.Ticket);
                var snapshot = room.Snapshot ??= await room.Switch.ReadAsync(now);
                session.Enqueue(HubMessages.Position(place.Position, snapshot.EtaSeconds(place.Position, now, room.Options), snapshot.Switch.QueueOn, place.Receipt));
                metrics.Out("position");
                TellSoldOut(room, session);
                return "waiting";
            case TicketState.Active:
                session.Sequence = 0;
                room.Heartbeat(session.Ticket);
                switch ((await notifier.DeliverAsync(room, [session.PlaceTicket], DeliveryCause.Connect))[0])
                {
                    case DeliveryResult.Entered:
                        // Entered already (in some browser): the notifier closed this connection; nothing to wait for.
                        return "entered";
                    case DeliveryResult.NotAdmitted:
                        // The admission lapsed between the two reads.
                        closer.Gone(session, GoneReason.Expired.ToWireReason());
                        return "gone";
                    default:
                        return "active";
                }
            default:
                closer.Gone(session, place.Reason.ToWireReason());
                return "gone";
        }
    }

    /// <summary>A waiting connection that opens while the room is sold out is told so at once (once; the push tick tells the others).</summary>
    private void TellSoldOut(RoomContext room, HubSession session)
    {
        if (room.Snapshot?.SoldOut == true && session.TryMarkSoldOut() && session.Enqueue(HubMessages.SoldOut))
        {
            metrics.Out("soldout");
        }
    }

    /// <summary>
    /// Reads the frame <paramref name="result"/> announced; true for a heartbeat, false (the session closing) for a close,
    /// an oversized or an invalid frame.
    /// </summary>
    private async ValueTask<bool> ReceiveFrameAsync(HubSession session, ValueWebSocketReceiveResult result, CancellationToken aborted)
    {
        if (result.MessageType == WebSocketMessageType.Close)
        {
            // Complete the close handshake (after anything still queued), so the client sees a clean close.
            session.CloseAfterSending(WebSocketCloseStatus.NormalClosure, "bye");
            return false;
        }

        // A frame is coming: a pooled buffer of one frame's worth (plus one byte to detect an oversized frame), held
        // only while the frame is read and checked.
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxFrameBytes + 1);
        try
        {
            return await ReadFrameAsync(session, result, buffer, aborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the rest of the frame <paramref name="result"/> announced into <paramref name="buffer"/>; true for a heartbeat,
    /// false (the session closing) for a close, an oversized or an invalid frame.
    /// </summary>
    private async Task<bool> ReadFrameAsync(HubSession session, ValueWebSocketReceiveResult result, byte[] buffer, CancellationToken aborted)
    {
        var limit = _options.MaxFrameBytes + 1;
        var length = 0;
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close)
        {
            if (length > _options.MaxFrameBytes)
            {
                Reject(session, "oversized", WebSocketCloseStatus.MessageTooBig, $"frames are limited to {_options.MaxFrameBytes} bytes");
                return false;
            }

            result = await session.Socket.ReceiveAsync(buffer.AsMemory(length, limit - length), aborted);
            length += result.Count;
        }

        if (result.MessageType == WebSocketMessageType.Close)
        {
            session.CloseAfterSending(WebSocketCloseStatus.NormalClosure, "bye");
            return false;
        }

        if (length > _options.MaxFrameBytes)
        {
            Reject(session, "oversized", WebSocketCloseStatus.MessageTooBig, $"frames are limited to {_options.MaxFrameBytes} bytes");
            return false;
        }

        if (result.MessageType != WebSocketMessageType.Text || !HubMessages.IsHeartbeat(buffer.AsSpan(0, length)))
        {
            Reject(session, "invalid", WebSocketCloseStatus.PolicyViolation, "only {\"type\":\"heartbeat\"} is accepted");
            return false;
        }

        return true;
    }

    private void Reject(HubSession session, string kind, WebSocketCloseStatus status, string description)
    {
        metrics.In(kind);
        Log.FrameRejected(logger, session.Room.Name, kind);
        closer.Close(session, status, description);
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        try
        {
            await socket.CloseOutputAsync(status, description, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // Gone already.
        }
    }

    /// <summary>What the socket keeps of its upgrade request: the room asked for, the ticket's check and claims, ownership.</summary>
    private readonly record struct SocketTicket(string RoomName, TokenStatus Status, RoomContext? Room, TokenClaims? Claims, bool IsOwner);

    private static partial class Log
    {
        [LoggerMessage(EventIds.TicketRejected, LogLevel.Warning, "Room {Room}: WebSocket ticket refused ({Status}); closed with 1008")]
        public static partial void TicketRejected(ILogger logger, string room, TokenStatus status);

        [LoggerMessage(EventIds.FrameRejected, LogLevel.Warning, "Room {Room}: {Kind} frame from a client; closing")]
        public static partial void FrameRejected(ILogger logger, string room, string kind);

        [LoggerMessage(EventIds.GreetingRedisUnavailable, LogLevel.Warning, "Room {Room}: Redis unavailable while greeting a client; closed with 1013")]
        public static partial void RedisUnavailable(ILogger logger, string room, Exception exception);

        [LoggerMessage(EventIds.RefusedWhileDraining, LogLevel.Information, "Stopping: WebSocket upgrade refused with 503 (the edge retries it on another hub)")]
        public static partial void RefusedWhileDraining(ILogger logger);

        [LoggerMessage(EventIds.OriginRefused, LogLevel.Warning, "WebSocket upgrade from origin {Origin} refused with 403 (host {Host}; not in SocketHub:AllowedOrigins)")]
        public static partial void OriginRefused(ILogger logger, string origin, string host);

        [LoggerMessage(EventIds.AddressCapReached, LogLevel.Warning, "WebSocket upgrade from {Address} refused with 429: {Max} sockets open from that address already")]
        public static partial void AddressCapReached(ILogger logger, string address, int max);

        [LoggerMessage(EventIds.SlowClient, LogLevel.Warning, "Room {Room}: client of ticket {Ticket} did not keep up; its send queue overflowed and it was cut off")]
        public static partial void SlowClient(ILogger logger, string room, string ticket);
    }
}

using System.Text.Json;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Endpoints;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// The operator console under <c>/_wr/admin/</c>: its page (the console with a session, else the sign-in form), its
/// assets, sign-in and sign-out, and the live view of a room as server-sent events. The page and assets stand behind the
/// visitor limit and need no session (the sign-in page holds nothing); sign-in behind the admin and sign-in limits,
/// checking the key itself; sign-out and the live view behind the admin guard (an operator: key or session, and for
/// sign-out the session's CSRF token).
/// </summary>
internal static partial class ConsoleEndpoints
{
    /// <summary>The largest sign-in or sign-out body read (a form or JSON with one key: far less).</summary>
    public const int MaxFormBytes = 4096;

    private const string KeyField = "key";
    private const string LanguageField = "lang";
    private const string RoomField = "room";

    /// <summary>Where sign-out sends the browser: the sign-in page, saying so.</summary>
    private const string SignedOutParameter = "signed-out";

    /// <summary>The console's page, assets and sign-in: outside the admin guard (their own guards).</summary>
    public static void MapPublic(IEndpointRouteBuilder app, EndpointGuard guard)
    {
        ArgumentNullException.ThrowIfNull(guard);
        // A Redis failure (the page asks whether a session was signed out) is a 503 with Retry-After, never a 500.
        var open = app.MapGroup(AdminApi.Prefix).AddEndpointFilter<RedisFailureFilter>();
        open.MapGet("/", PageAsync).WrapRequestDelegates(endpoint => guard.Wrap(endpoint, EndpointGuard.Kind.Visitor));
        open.MapMethods("/assets/{file}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, ConsoleAssets assets) => assets.ServeAsync(context))
            .WrapRequestDelegates(endpoint => guard.Wrap(endpoint, EndpointGuard.Kind.Visitor));
        open.MapPost("/sign-in", SignInAsync).WrapRequestDelegates(endpoint => guard.Wrap(endpoint, EndpointGuard.Kind.SignIn));
    }

    /// <summary>Sign-out and the live view: inside the admin group (key or session; CSRF for sign-out).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapPost("/sign-out", SignOutAsync);
        admin.MapGet("/rooms/{room}/live", LiveAsync);
    }

    /// <summary>The console for a valid session, else the sign-in page (saying why when a cookie was there but no longer works).</summary>
    public static async Task PageAsync(HttpContext context, string? lang, string? room, AdminSessions sessions, RoomRegistry rooms)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(rooms);
        var language = PageLanguages.Pick(lang, cookie: null, context.Request.Headers.AcceptLanguage.ToString());
        var shown = room is not null && rooms.TryGet(room, out var asked) ? asked : rooms.All.First();
        var cookie = context.Request.Cookies[AdminSessions.CookieName];
        var (check, session) = await sessions.CheckAsync(cookie);

        if (check != AdminSessions.Check.Valid)
        {
            if (check != AdminSessions.Check.Missing)
            {
                sessions.ClearCookie(context);
            }

            await WriteHtmlAsync(context, StatusCodes.Status200OK, ConsolePage.SignIn(
                new SignInPageModel(language, check != AdminSessions.Check.Missing ? SignInErrors.Expired : context.Request.Query.ContainsKey(SignedOutParameter) ? SignInErrors.SignedOut : null, shown.Name)));
            return;
        }

        await WriteHtmlAsync(context, StatusCodes.Status200OK, ConsolePage.Console(new ConsolePageModel(
            language,
            session!.Operator,
            sessions.CsrfToken(session),
            session.ExpiresAt,
            shown.Name,
            [.. rooms.All.Select(r => r.Name)],
            shown.Options.OffThreshold,
            shown.Options.OnThreshold,
            shown.Options.SpikeThreshold)));
    }

    /// <summary>
    /// Signs an operator in with their key: a form post (the sign-in page, without script) is sent on to the console, a
    /// JSON call gets the session's facts. A wrong key is refused as the header's is (<see cref="AdminKey"/>: the same
    /// comparison, metric and log line), and costs a permit of the sign-in limit like any attempt. A sign-in from another
    /// site is refused (no one may sign a browser in to their own session).
    /// </summary>
    public static async Task SignInAsync(
        HttpContext context, AdminKey keys, AdminSessions sessions, RoomRegistry rooms, GateMetrics metrics, ILogger<AdminSessions> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(metrics);
        var request = context.Request;
        context.Response.Headers.CacheControl = "no-store";
        if (CrossSiteRequests.IsCrossSite(request))
        {
            metrics.AdminSignIn("cross-site");
            await Problem(StatusCodes.Status403Forbidden, "Cross-site request", "Sign in from the console's own page.", ProblemTypes.CrossSite).ExecuteAsync(context);
            return;
        }

        var isForm = request.ContentType is { } type && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var isJson = request.ContentType is { } json && json.StartsWith("application/json", StringComparison.OrdinalIgnoreCase);
        if (!isForm && !isJson)
        {
            await Problem(StatusCodes.Status415UnsupportedMediaType, "Sign-in body refused",
                "Send the key as a form (key=...) or as JSON ({\"key\": \"...\"}).", ProblemTypes.InvalidHeader).ExecuteAsync(context);
            return;
        }

        var body = await ReadSmallBodyAsync(request, context.RequestAborted);
        if (body is null)
        {
            await Problem(StatusCodes.Status413PayloadTooLarge, "Sign-in body refused",
                $"A sign-in body is at most {MaxFormBytes} bytes.", ProblemTypes.InvalidHeader).ExecuteAsync(context);
            return;
        }

        string? key = null;
        string? lang = null;
        string? room = null;
        if (isForm)
        {
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
            (key, lang, room) = (form.GetValueOrDefault(KeyField).ToString(), form.GetValueOrDefault(LanguageField).ToString(), form.GetValueOrDefault(RoomField).ToString());
        }
        else
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                key = document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty(KeyField, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            }
            catch (JsonException)
            {
                key = null;
            }
        }

        var language = PageLanguages.Pick(lang, cookie: null, request.Headers.AcceptLanguage.ToString());
        var shown = !string.IsNullOrEmpty(room) && rooms.TryGet(room, out var asked) ? asked.Name : null;
        var name = keys.Identify(key);
        if (name is null)
        {
            keys.Refused(context, key);
            metrics.AdminSignIn("wrong-key");
            if (isForm)
            {
                await WriteHtmlAsync(context, StatusCodes.Status401Unauthorized, ConsolePage.SignIn(new SignInPageModel(language, SignInErrors.WrongKey, shown)));
                return;
            }

            await Problem(StatusCodes.Status401Unauthorized, "Admin key required", "That is not an operator's admin key.", ProblemTypes.AdminKey).ExecuteAsync(context);
            return;
        }

        var (session, cookie) = sessions.Issue(name);
        sessions.WriteCookie(context, session, cookie);
        metrics.AdminSignIn("signed-in");
        Log.SignedIn(logger, name, context.Connection.RemoteIpAddress?.ToString() ?? "?", session.ExpiresAt);
        if (isForm)
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = ConsoleUrl(language, shown);
            return;
        }

        await TypedResults.Ok(new ConsoleSignedIn(name, session.ExpiresAt, sessions.CsrfToken(session))).ExecuteAsync(context);
    }

    /// <summary>Ends the console session on every proxy and clears its cookie: a form post goes back to the sign-in page.</summary>
    public static async Task SignOutAsync(HttpContext context, AdminSessions sessions, GateMetrics metrics, ILogger<AdminSessions> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(metrics);
        context.Response.Headers.CacheControl = "no-store";
        var who = context.Features.Get<AdminOperator>();
        if (who?.Session is { } session)
        {
            var told = await sessions.EndAsync(session);
            sessions.ClearCookie(context);
            metrics.AdminSignIn("signed-out");
            Log.SignedOut(logger, session.Operator);
            if (!told)
            {
                Log.SignOutNotPublished(logger, session.Operator);
            }
        }

        if (context.Request.HasFormContentType)
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = ConsoleUrl(PageLanguages.Pick(null, null, context.Request.Headers.AcceptLanguage.ToString()), room: null) + "&" + SignedOutParameter + "=1";
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// The live view of a room as server-sent events (<see cref="ConsoleFeed"/>): <c>hello</c>, then a <c>tick</c> a
    /// second, until the watcher leaves, the session ends (<c>end</c>) or the proxy stops.
    /// </summary>
    public static async Task LiveAsync(string room, HttpContext context, RoomRegistry rooms, ConsoleFeeds feeds)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(feeds);
        if (!rooms.TryGet(room, out var target))
        {
            await AdminApi.RoomNotFound(room).ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        // The edge nginx (and any ingress that honours it) must pass each event on as it comes, not buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, feeds.Stopping);
        var feed = feeds.For(target);
        var watcher = feed.Watch(context.Features.Get<AdminOperator>()!);
        try
        {
            await response.WriteAsync("retry: 3000\n\n", ending.Token);
            await response.Body.FlushAsync(ending.Token);
            await foreach (var frame in watcher.Frames.Reader.ReadAllAsync(ending.Token))
            {
                await response.Body.WriteAsync(frame, ending.Token);
                await response.Body.FlushAsync(ending.Token);
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The watcher went away, or the proxy is stopping.
        }
        finally
        {
            feed.Leave(watcher);
        }
    }

    /// <summary>The request's body when it is at most <see cref="MaxFormBytes"/> bytes (whatever Content-Length says or omits); null when longer.</summary>
    private static async Task<byte[]?> ReadSmallBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxFormBytes)
        {
            return null;
        }

        var buffer = new byte[MaxFormBytes + 1];
        var read = 0;
        int got;
        while (read < buffer.Length && (got = await request.Body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += got;
        }

        return read > MaxFormBytes ? null : buffer[..read];
    }

    private static string ConsoleUrl(string language, string? room) =>
        AdminApi.Prefix + "/?lang=" + language + (room is null ? string.Empty : "&room=" + room);

    private static async Task WriteHtmlAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Problem(int status, string title, string detail, string type) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, type: type);

    private static partial class Log
    {
        [LoggerMessage(EventIds.AdminSignedIn, LogLevel.Warning, "Operator {Operator} signed in to the console from {Client}; the session lasts until {ExpiresAt:O}")]
        public static partial void SignedIn(ILogger logger, string @operator, string client, DateTimeOffset expiresAt);

        [LoggerMessage(EventIds.AdminSignedOut, LogLevel.Warning, "Operator {Operator} signed out of the console")]
        public static partial void SignedOut(ILogger logger, string @operator);

        [LoggerMessage(EventIds.ConsoleSessionNoticeFailed, LogLevel.Warning, "Operator {Operator} signed out, but Redis did not take the notice for the other proxies: their open live views of the session end at their next session check")]
        public static partial void SignOutNotPublished(ILogger logger, string @operator);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Runtime.ExceptionServices;
using YarpWaitingRoom.Bench.Errors;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// One visitor's journey, as <c>journey</c> and <c>soak</c> rehearse it: a gated API request, the WebSocket until
/// admitted (heartbeating), the one-time entry code, the seat list, a hold (another seat on a conflict) and its
/// confirmation. Every answer is checked before it is used; anything unexpected (status, problem document, missing
/// field, malformed body, WebSocket close or failure, timeout, any exception) goes into the <see cref="ErrorTable"/>
/// and ends this visitor with <see cref="JourneyOutcome.Error"/>. <see cref="VisitAsync"/> never throws.
/// </summary>
internal sealed class JourneyVisitor
{
    public const string GatedPath = "/api/concerts";

    public const string SeatsPath = "/api/concerts/1/seats";

    private const int HoldAttempts = 5;
    private const int JoinAttempts = 5;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly Uri _baseUrl;
    private readonly TimeSpan _maxWait;
    private readonly ErrorTable _errors;
    private long _busyRetries;

    public JourneyVisitor(Uri baseUrl, TimeSpan maxWait, ErrorTable errors)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(errors);
        _baseUrl = baseUrl;
        _maxWait = maxWait;
        _errors = errors;
    }

    /// <summary>Joins answered busy or rate-limited (503/429, Retry-After, problem) and tried again after the wait.</summary>
    public long BusyRetries => Interlocked.Read(ref _busyRetries);

    public async Task<JourneyResult> VisitAsync(int index, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var step = "join";
        try
        {
            var cookies = new CookieContainer();
            using var http = new HttpClient(new SocketsHttpHandler
            {
                UseCookies = true,
                CookieContainer = cookies,
                AllowAutoRedirect = false,
                ConnectTimeout = RequestTimeout,
            })
            {
                BaseAddress = _baseUrl,
                Timeout = RequestTimeout,
            };

            double queueSeconds = 0;
            var join = await JoinAsync(http, cancellationToken);
            if (join.Status == (int)HttpStatusCode.ServiceUnavailable)
            {
                var wsUrl = join.String(join.Object(), "wsUrl");
                step = "ws";
                var (enterUrl, notAdmitted) = await WaitForAdmissionAsync(wsUrl, cookies, cancellationToken);
                if (enterUrl is null)
                {
                    return new JourneyResult(notAdmitted);
                }

                queueSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                step = "enter";
                using var enter = await http.GetAsync(new Uri(enterUrl, UriKind.RelativeOrAbsolute), cancellationToken);
                if (enter.StatusCode != HttpStatusCode.Found)
                {
                    throw (await Answer.ReadAsync(step, enter, cancellationToken)).Unexpected();
                }
            }

            step = "seats";
            using var seatsResponse = await http.GetAsync(new Uri(SeatsPath, UriKind.Relative), cancellationToken);
            var seats = await Answer.ReadAsync(step, seatsResponse, cancellationToken);
            if (seats.Status != (int)HttpStatusCode.OK)
            {
                throw seats.Unexpected();
            }

            var free = new List<int>();
            foreach (var seat in seats.Array().EnumerateArray())
            {
                if (seats.String(seat, "status") == "available")
                {
                    free.Add(seats.Int32(seat, "id"));
                }
            }

            for (var attempt = 0; attempt < HoldAttempts && free.Count > 0; attempt++)
            {
                step = "hold";
                var seatId = free[(index * 7 + attempt * 131) % free.Count];
                using var holdResponse = await http.PostAsJsonAsync(new Uri("/api/holds", UriKind.Relative), new HoldRequest(seatId), cancellationToken);
                if (holdResponse.StatusCode == HttpStatusCode.Conflict)
                {
                    continue;
                }

                var hold = await Answer.ReadAsync(step, holdResponse, cancellationToken);
                if (hold.Status != (int)HttpStatusCode.Created)
                {
                    throw hold.Unexpected();
                }

                var holdId = hold.Guid(hold.Object(), "id");
                step = "confirm";
                using var confirm = await http.PostAsync(new Uri($"/api/holds/{holdId}/confirm", UriKind.Relative), content: null, cancellationToken);
                if (confirm.StatusCode != HttpStatusCode.Created)
                {
                    throw (await Answer.ReadAsync(step, confirm, cancellationToken)).Unexpected();
                }

                return new JourneyResult(JourneyOutcome.Purchased, queueSeconds, Stopwatch.GetElapsedTime(started).TotalSeconds, free.Count);
            }

            return new JourneyResult(free.Count == 0 ? JourneyOutcome.SoldOut : JourneyOutcome.Conflicts, queueSeconds, FreeSeats: free.Count);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return new JourneyResult(JourneyOutcome.Cancelled);
        }
        catch (Exception ex)
        {
            // Whatever it was (an unexpected answer, a refused connection, a timeout, a bug in this tool), it is one
            // visitor's error, counted by step and kind; the run goes on.
            _errors.Add(step, ex);
            return new JourneyResult(JourneyOutcome.Error);
        }
    }

    /// <summary>
    /// The gated request: 200 (the queue is off, admitted on the spot) or a queued 503 (JSON, not a problem). A busy or
    /// rate-limited answer (503/429 with Retry-After and a problem body) is tried again after its Retry-After, as a
    /// client should; anything else is unexpected.
    /// </summary>
    private async Task<Answer> JoinAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, GatedPath);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await http.SendAsync(request, cancellationToken);
            var answer = await Answer.ReadAsync("join", response, cancellationToken);
            if (answer.Status == (int)HttpStatusCode.OK
                || (answer.Status == (int)HttpStatusCode.ServiceUnavailable && !answer.IsProblem))
            {
                return answer;
            }

            if (answer is { Status: (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.TooManyRequests, IsProblem: true }
                && response.Headers.RetryAfter?.Delta is { } wait
                && attempt < JoinAttempts)
            {
                Interlocked.Increment(ref _busyRetries);
                await Task.Delay(wait < LongestRetryAfter ? wait : LongestRetryAfter, cancellationToken);
                continue;
            }

            throw answer.Unexpected();
        }
    }

    /// <summary>
    /// Waits on the WebSocket, heartbeating, until the admission notice (its entry URL), the hub's <c>gone</c>, or the
    /// maximum wait (no URL, and why). A close before admission, a malformed or oversized message, an admission without an
    /// entry URL, a refused upgrade are unexpected answers; a connection that breaks throws what broke it.
    /// </summary>
    private async Task<(string? EnterUrl, JourneyOutcome NotAdmitted)> WaitForAdmissionAsync(string wsPath, CookieContainer cookies, CancellationToken cancellationToken)
    {
        // The visitor's cookies (wr_vid) go with the upgrade, as a browser's do: the hub sends the entry link only with them.
        await using var socket = new HubClient { Cookie = cookies.GetCookieHeader(_baseUrl), KeepMessages = false };
        var ws = new UriBuilder(new Uri(_baseUrl, wsPath)) { Scheme = _baseUrl.Scheme == Uri.UriSchemeHttps ? Uri.UriSchemeWss : Uri.UriSchemeWs }.Uri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_maxWait);
        try
        {
            try
            {
                await socket.ConnectAsync(ws, invoker: null, HeartbeatInterval, timeout.Token);
            }
            catch (WebSocketException ex) when (socket.UpgradeStatus is { } refused)
            {
                throw new UnexpectedAnswerException("ws", (int)refused, null, "upgrade refused", ex.Message);
            }

            var message = await socket.WaitForAsync(HubMessageKind.Admitted | HubMessageKind.Gone | HubMessageKind.Invalid, timeout.Token);
            switch (message?.Kind)
            {
                case HubMessageKind.Admitted:
                    var enterUrl = message.EnterUrl is { Length: > 0 } url ? url : throw Unexpected(message, "no 'enterUrl'");
                    await socket.CloseAsync(CloseTimeout);
                    return (enterUrl, default);
                case HubMessageKind.Gone:
                    return (null, JourneyOutcome.Gone);
                case HubMessageKind.Invalid:
                    throw Unexpected(message, message.Fault);
            }

            var end = (await socket.ClosedAsync())!;
            if (end.Error is { } broken)
            {
                ExceptionDispatchInfo.Throw(broken);
            }

            var status = end.CloseStatus is { } closed ? ((int)closed).ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
            throw new UnexpectedAnswerException("ws", null, null, $"closed {status} before admission", end.CloseStatusDescription ?? string.Empty);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, JourneyOutcome.GaveUp);
        }
    }

    private static UnexpectedAnswerException Unexpected(HubMessage message, string? reason) =>
        new("ws", null, null, reason, Answer.ExcerptOf(message.ToString()));

    private sealed record HoldRequest(int SeatId);
}

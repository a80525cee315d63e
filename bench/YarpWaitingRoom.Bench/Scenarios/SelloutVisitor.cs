using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using YarpWaitingRoom.Bench.Errors;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// One visitor of the sell-out rehearsal: the gated request (queued), the WebSocket (heartbeating) noting when it hears
/// <c>soldout</c> and when it is admitted, then its part (<see cref="SelloutRun.Admit"/>): enter with the one-time code
/// and hold its seats (from the run's pool), confirming them all at once (a buyer: the first confirmation ends the session) or keeping them
/// until told to release them (hold-back); a visitor admitted with no seat left leaves without entering. A visitor never
/// admitted waits until the run ends. Anything unexpected is one error in the table; <see cref="VisitAsync"/> never throws.
/// </summary>
/// <param name="baseUrl">The edge.</param>
/// <param name="run">What the visitors share.</param>
/// <param name="errors">Where unexpected answers are counted.</param>
/// <param name="holdDuration">The backend's hold duration: a hold's <c>expiresAt</c> less it is when the backend took the seat.</param>
internal sealed class SelloutVisitor(Uri baseUrl, SelloutRun run, ErrorTable errors, TimeSpan holdDuration)
{
    private const int JoinAttempts = 5;
    private const int EnterAttempts = 5;

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    /// <param name="joins">Bounds the joins and socket openings in flight (not the waiting).</param>
    /// <param name="end">Cancelled when the run is over: whoever still waits stops.</param>
    /// <param name="cancellationToken">The whole run's (Ctrl-C).</param>
    public async Task<SelloutVisit> VisitAsync(SemaphoreSlim joins, CancellationToken end, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(joins);
        var step = "join";
        var role = SelloutRole.Waiting;
        double? connectedAt = null;
        double? admittedAt = null;
        HubClient? socket = null;
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
                BaseAddress = baseUrl,
                Timeout = RequestTimeout,
            };

            string? enterUrl = null;
            await joins.WaitAsync(cancellationToken);
            try
            {
                var join = await JoinAsync(http, cancellationToken);
                if (join.Status == (int)HttpStatusCode.OK)
                {
                    // Admitted on the spot (the queue was off): the room's own bound still applies to it.
                    admittedAt = run.NowMs;
                    run.Admission(Stopwatch.GetTimestamp());
                }
                else
                {
                    step = "ws";
                    socket = new HubClient
                    {
                        Cookie = cookies.GetCookieHeader(baseUrl),
                        KeepMessages = false,
                        Observer = Observe,
                    };
                    await ConnectAsync(socket, join.String(join.Object(), "wsUrl"), cancellationToken);
                    connectedAt = run.NowMs;
                    run.SocketWaiting();
                }
            }
            finally
            {
                joins.Release();
            }

            if (socket is not null)
            {
                var message = await WaitForAdmissionAsync(socket, end, cancellationToken);
                if (message is null)
                {
                    return Visit();
                }

                admittedAt = run.Ms(message.ReceivedAt);
                enterUrl = message.EnterUrl;
                await socket.CloseAsync(CloseTimeout);
            }

            // The seats first, then the entry: one admitted with nothing left leaves without entering (it would stay
            // active for a whole session and hold a place the seats coming back should give).
            role = run.Admit();
            var mine = new Queue<int>();
            while (role != SelloutRole.Leaver && mine.Count < run.SeatsFor(role) && run.TryTakeSeat(out var seat))
            {
                mine.Enqueue(seat);
            }

            if (mine.Count == 0)
            {
                role = SelloutRole.Leaver;
                return Visit();
            }

            var holds = new List<Guid>(mine.Count);
            try
            {
                if (enterUrl is not null)
                {
                    step = "enter";
                    await EnterAsync(http, enterUrl, cancellationToken);
                }

                step = "hold";
                while (mine.TryPeek(out var seat))
                {
                    if (await HoldAsync(http, seat, cancellationToken) is { } hold)
                    {
                        holds.Add(hold);
                    }

                    mine.Dequeue();
                }
            }
            catch
            {
                // Seats not held go back for the next visitor.
                while (mine.TryDequeue(out var seat))
                {
                    run.GiveBack(seat);
                }

                throw;
            }

            if (role == SelloutRole.Buyer)
            {
                // All at once: the first confirmation's answer ends the session at the proxy, so one after another the
                // rest would be turned away at the gate.
                step = "confirm";
                await Task.WhenAll(holds.Select(hold => ConfirmAsync(http, hold, cancellationToken)));
                return Visit();
            }

            step = "release";
            await run.ReleaseSignal.WaitAsync(end).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (run.ReleaseSignal.IsCompletedSuccessfully)
            {
                await Task.WhenAll(holds.Select(hold => ReleaseAsync(http, hold, cancellationToken)));
            }

            return Visit();
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            return Visit(failed: true);
        }
        catch (Exception ex)
        {
            errors.Add(step, ex);
            return Visit(failed: true);
        }
        finally
        {
            if (socket is not null)
            {
                await socket.DisposeAsync();
            }
        }

        SelloutVisit Visit(bool failed = false) => new(
            role,
            connectedAt,
            admittedAt,
            socket?.First(HubMessageKind.SoldOut) is { } heard ? run.Ms(heard.ReceivedAt) : null,
            socket?.Count(HubMessageKind.SoldOut) ?? 0,
            failed);
    }

    private void Observe(HubClient client, HubMessage message)
    {
        if (message.Kind == HubMessageKind.Admitted)
        {
            run.Admission(message.ReceivedAt);
        }
        else if (message.Kind == HubMessageKind.SoldOut && client.Count(HubMessageKind.SoldOut) == 1)
        {
            run.HeardSoldOutOnce();
        }
    }

    private async Task ConnectAsync(HubClient socket, string wsPath, CancellationToken cancellationToken)
    {
        var ws = new UriBuilder(new Uri(baseUrl, wsPath)) { Scheme = baseUrl.Scheme == Uri.UriSchemeHttps ? Uri.UriSchemeWss : Uri.UriSchemeWs }.Uri;
        try
        {
            await socket.ConnectAsync(ws, invoker: null, HeartbeatInterval, cancellationToken);
        }
        catch (WebSocketException ex) when (socket.UpgradeStatus is { } refused)
        {
            throw new UnexpectedAnswerException("ws", (int)refused, null, "upgrade refused", ex.Message);
        }
    }

    /// <summary>The admission notice, or null when the run ended first; the hub's <c>gone</c>, a close or a bad frame throw.</summary>
    private async Task<HubMessage?> WaitForAdmissionAsync(HubClient socket, CancellationToken end, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(end, cancellationToken);
        try
        {
            var message = await socket.WaitForAsync(HubMessageKind.Admitted | HubMessageKind.Gone | HubMessageKind.Invalid, either.Token);
            switch (message?.Kind)
            {
                case HubMessageKind.Admitted when message.EnterUrl is { Length: > 0 }:
                    return message;
                case null:
                    var closed = await socket.ClosedAsync();
                    throw new UnexpectedAnswerException("ws", null, null, "closed before admission", closed?.CloseStatusDescription ?? string.Empty);
                default:
                    throw new UnexpectedAnswerException("ws", null, null, message.Kind == HubMessageKind.Admitted ? "no 'enterUrl'" : message.Type ?? "invalid", Answer.ExcerptOf(message.ToString()));
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            run.SocketDone();
        }
    }

    /// <summary>The gated request: a queued 503 (JSON) or 200; busy or rate-limited answers are tried again after their Retry-After.</summary>
    private async Task<Answer> JoinAsync(HttpClient http, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, JourneyVisitor.GatedPath);
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
                run.BusyRetry();
                await Task.Delay(wait < LongestRetryAfter ? wait : LongestRetryAfter, cancellationToken);
                continue;
            }

            throw answer.Unexpected();
        }
    }

    /// <summary>
    /// The one-time entry code: a redirect into the site. A busy answer (503 with Retry-After and a problem body: the gate
    /// could not reach Redis in time) is tried again after its Retry-After, as a browser reloading would; the code holds
    /// for the claim window.
    /// </summary>
    private async Task EnterAsync(HttpClient http, string enterUrl, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.GetAsync(new Uri(enterUrl, UriKind.RelativeOrAbsolute), cancellationToken);
            if (response.StatusCode == HttpStatusCode.Found)
            {
                return;
            }

            var answer = await Answer.ReadAsync("enter", response, cancellationToken);
            if (answer is { Status: (int)HttpStatusCode.ServiceUnavailable, IsProblem: true }
                && response.Headers.RetryAfter?.Delta is { } wait
                && attempt < EnterAttempts)
            {
                run.BusyRetry();
                await Task.Delay(wait < LongestRetryAfter ? wait : LongestRetryAfter, cancellationToken);
                continue;
            }

            throw answer.Unexpected();
        }
    }

    /// <summary>
    /// Holds <paramref name="seat"/> (nobody else ever tries it). An answer that times out may still have taken it: the
    /// hold is tried once more, and a <c>409</c> then is this visitor's own first hold (taken, but its id unknown: null).
    /// </summary>
    private async Task<Guid?> HoldAsync(HttpClient http, int seat, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        var retried = false;
        try
        {
            response = await http.PostAsJsonAsync(new Uri("/api/holds", UriKind.Relative), new HoldRequest(seat), cancellationToken);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            run.BusyRetry();
            retried = true;
            response = await http.PostAsJsonAsync(new Uri("/api/holds", UriKind.Relative), new HoldRequest(seat), cancellationToken);
        }

        using (response)
        {
            var at = Stopwatch.GetTimestamp();
            var hold = await Answer.ReadAsync("hold", response, cancellationToken);
            if (retried && hold.Status == (int)HttpStatusCode.Conflict)
            {
                run.SeatTaken(at);
                return null;
            }

            if (hold.Status != (int)HttpStatusCode.Created)
            {
                throw hold.Unexpected();
            }

            var json = hold.Object();
            run.SeatTaken(at, hold.Property(json, "expiresAt").TryGetDateTimeOffset(out var expires) ? expires - holdDuration : null);
            return hold.Guid(json, "id");
        }
    }

    private async Task ConfirmAsync(HttpClient http, Guid hold, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync(new Uri($"/api/holds/{hold}/confirm", UriKind.Relative), content: null, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw (await Answer.ReadAsync("confirm", response, cancellationToken)).Unexpected();
        }

        run.SeatSold();
    }

    private async Task ReleaseAsync(HttpClient http, Guid hold, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync(new Uri($"/api/holds/{hold}", UriKind.Relative), cancellationToken);
        var at = Stopwatch.GetTimestamp();
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw (await Answer.ReadAsync("release", response, cancellationToken)).Unexpected();
        }

        run.SeatReleased(at);
    }

    private sealed record HoldRequest(int SeatId);
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>Shape and target of a spike rehearsal (<c>./stack load spike</c>).</summary>
internal sealed record SpikeSettings(
    Uri BaseUrl,
    string Room,
    string Path,
    double BaseRate,
    double PeakRate,
    TimeSpan Ramp,
    TimeSpan Hold,
    TimeSpan Calm,
    int SpikeThreshold,
    int MaxInFlight,
    string? AdminKey);

/// <summary>
/// The spike rehearsal k6/spike.js describes, run by this tool since k6 cannot run here: new visitors (no cookies,
/// API requests) at an open-loop arrival rate that ramps from the base rate to the peak, holds, and drops back to the
/// base rate long enough for the queue to calm down. A progress line each second; the admin API is polled to see the
/// switch move. The summary: requests, achieved rate, latency percentiles, errors (by kind, with an example each),
/// transitions seen, and the time from the edge tier crossing the spike threshold to the queue turning on. No answer
/// ends the run: each unexpected one is counted and the spike goes on.
/// </summary>
internal static class SpikeScenario
{
    public const string Name = "spike";

    // What an answer was, for the latency by answer (indexes into AnswerKinds).
    private const int PassedAnswer = 0;
    private const int DivertedAnswer = 1;
    private const int BusyAnswer = 2;
    private const int ErrorAnswer = 3;
    private static readonly string[] AnswerKinds = ["passed", "diverted", "busy", "errors"];

    public static async Task<int> RunAsync(SpikeSettings settings, CancellationToken cancellationToken)
    {
        var total = settings.Ramp + settings.Hold + settings.Calm;
        Console.WriteLine($"spike: {settings.BaseRate:0} → {settings.PeakRate:0} req/s at {settings.BaseUrl}{settings.Path.TrimStart('/')} " +
            $"(ramp {settings.Ramp.TotalSeconds:0} s, hold {settings.Hold.TotalSeconds:0} s, calm {settings.Calm.TotalSeconds:0} s), room {settings.Room}");
        using var client = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            MaxConnectionsPerServer = settings.MaxInFlight,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        { BaseAddress = settings.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var admin = RoomStatus.CreateAdminClient(settings.BaseUrl, settings.AdminKey);
        var errorTable = new ErrorTable();
        var adminErrors = new ErrorTable();

        var seconds = (int)Math.Ceiling(total.TotalSeconds) + 30;
        var perSecond = new SecondStats[seconds];
        for (var i = 0; i < seconds; i++)
        {
            perSecond[i] = new SecondStats();
        }

        var latencies = new List<long>(1 << 16);
        // The same latencies by answer, so the tail can be told apart: proxied to the backend, queued by the gate, shed.
        var latenciesByAnswer = AnswerKinds.Select(_ => new List<long>(1 << 14)).ToArray();
        var latencyLock = new Lock();
        var transitions = new List<(double At, bool On, string Reason)>();
        double? crossedAt = null;
        double? onAt = null;
        bool? queueOn = null;
        long inFlight = 0;
        long unsent = 0;
        using var slots = new SemaphoreSlim(settings.MaxInFlight);

        // The room's switch as the admin API shows it: on or off, and why; its mode and the rate it last evaluated go on the
        // progress line, so a queue that stays off tells a rate that never reached the switch from a switch held off.
        RoomStatus? lastSeen = null;
        async Task<(bool On, string Reason)> ReadSwitchAsync(CancellationToken token)
        {
            var room = await RoomStatus.ReadAsync(admin, settings.Room, token);
            lastSeen = room;
            return (room.QueueOn, room.Reason);
        }

        // The switch's state before the first request: a queue that is already on cannot show how fast it turns on.
        bool? onAtStart = null;
        if (settings.AdminKey is not null)
        {
            try
            {
                var (on, reason) = await ReadSwitchAsync(cancellationToken);
                onAtStart = on;
                queueOn = on;
                if (on)
                {
                    Console.WriteLine($"note: room {settings.Room}'s queue is already ON ({reason}) before the spike, so " +
                        "this run cannot measure it turning on; wait until it turns off (debounce, nobody waiting) or use a quiet room");
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                adminErrors.Add("admin", ex);
                Console.WriteLine($"note: could not read room {settings.Room} from the admin API ({ex.Message}); transitions are watched from the first answer");
            }
        }

        var begin = Stopwatch.GetTimestamp();
        double Now() => Stopwatch.GetElapsedTime(begin).TotalSeconds;

        using var stopPolling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var poller = Task.Run(async () =>
        {
            while (!stopPolling.IsCancellationRequested && settings.AdminKey is not null)
            {
                try
                {
                    var (on, reason) = await ReadSwitchAsync(stopPolling.Token);
                    if (queueOn is { } was && was != on)
                    {
                        transitions.Add((Now(), on, reason));
                        if (on && onAt is null)
                        {
                            onAt = Now();
                        }
                    }

                    queueOn = on;
                }
                catch (Exception ex) when (!stopPolling.IsCancellationRequested)
                {
                    adminErrors.Add("admin", ex);
                }

                await Task.Delay(250, stopPolling.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, CancellationToken.None);

        async Task SendAsync(int second)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = ErrorAnswer;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, settings.Path);
                request.Headers.Accept.ParseAdd("application/json");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                var stats = perSecond[Math.Min(second, seconds - 1)];
                if ((int)response.StatusCode is >= 200 and < 400)
                {
                    answer = PassedAnswer;
                    Interlocked.Increment(ref stats.Passed);
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null)
                {
                    // The gate's busy answer (Redis slow under the spike) is a problem document; a queued one is not.
                    if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                    {
                        answer = BusyAnswer;
                        Interlocked.Increment(ref stats.Busy);
                    }
                    else
                    {
                        answer = DivertedAnswer;
                        Interlocked.Increment(ref stats.Diverted);
                    }
                }
                else
                {
                    Interlocked.Increment(ref stats.Errors);
                    errorTable.Add((await Answer.ReadAsync("gated", response, cancellationToken)).Unexpected());
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Refused connections, timeouts, an unreadable body: one more error of its kind, never the end of the run.
                Interlocked.Increment(ref perSecond[Math.Min(second, seconds - 1)].Errors);
                errorTable.Add("gated", ex);
            }
            finally
            {
                var elapsed = Stopwatch.GetTimestamp() - started;
                lock (latencyLock)
                {
                    latencies.Add(elapsed);
                    latenciesByAnswer[answer].Add(elapsed);
                }

                Interlocked.Decrement(ref inFlight);
                slots.Release();
            }
        }

        // Open loop: requests start at the target rate whatever the answers' speed (up to MaxInFlight outstanding).
        var budget = 0.0;
        var last = 0.0;
        var lastPrinted = -1;
        while (Now() < total.TotalSeconds && !cancellationToken.IsCancellationRequested)
        {
            var now = Now();
            budget += RateAt(settings, now) * (now - last);
            last = now;
            var second = (int)now;
            while (budget >= 1)
            {
                budget--;
                if (!slots.Wait(0, CancellationToken.None))
                {
                    unsent++;
                    continue;
                }

                Interlocked.Increment(ref inFlight);
                Interlocked.Increment(ref perSecond[second].Sent);
                _ = SendAsync(second);
            }

            if (second != lastPrinted && second > 0)
            {
                lastPrinted = second;
                var prev = perSecond[second - 1];
                var achieved = prev.Passed + prev.Diverted + prev.Busy + prev.Errors;
                if (crossedAt is null && prev.Sent >= settings.SpikeThreshold)
                {
                    crossedAt = second;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  t={second,3}s target {RateAt(settings, second - 0.5),6:0}/s sent {prev.Sent,6}/s answered {achieved,6}/s passed {prev.Passed,6} diverted {prev.Diverted,6} busy {prev.Busy,4} errors {prev.Errors,4} in flight {Interlocked.Read(ref inFlight),5} queue {(queueOn is null ? "?" : queueOn.Value ? "ON" : "off")}{SwitchSeen(lastSeen)}"));
            }

            await Task.Delay(5, cancellationToken);
        }

        // Let the last answers arrive and the switch settle for one more poll.
        for (var i = 0; i < 100 && Interlocked.Read(ref inFlight) > 0; i++)
        {
            await Task.Delay(100, CancellationToken.None);
        }

        await Task.Delay(500, CancellationToken.None);
        await stopPolling.CancelAsync();
        await poller.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        long[] sorted;
        long[][] sortedByAnswer;
        lock (latencyLock)
        {
            sorted = [.. latencies.Order()];
            sortedByAnswer = [.. latenciesByAnswer.Select(l => l.Order().ToArray())];
        }

        var passed = perSecond.Sum(s => s.Passed);
        var diverted = perSecond.Sum(s => s.Diverted);
        var busy = perSecond.Sum(s => s.Busy);
        var errors = perSecond.Sum(s => s.Errors);
        var requests = passed + diverted + busy + errors;
        var peakAchieved = perSecond.Max(s => s.Passed + s.Diverted + s.Busy + s.Errors);
        var toOn = crossedAt is { } c && onAt is { } o ? o - c : (double?)null;
        Console.WriteLine();
        Console.WriteLine($"{"requests",10} {"rate/s",8} {"peak/s",8} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"passed",8} {"diverted",9} {"busy",6} {"errors",7} {"unsent",7}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{requests,10} {requests / total.TotalSeconds,8:0} {peakAchieved,8} {LatencyRecorder.PercentileMs(sorted, 50),8:0.0} {LatencyRecorder.PercentileMs(sorted, 95),8:0.0} {LatencyRecorder.PercentileMs(sorted, 99),8:0.0} {passed,8} {diverted,9} {busy,6} {errors,7} {unsent,7}"));
        Console.WriteLine("latency by answer: " + string.Join(", ", AnswerKinds.Select((kind, i) => sortedByAnswer[i].Length == 0
            ? $"{kind} none"
            : string.Create(CultureInfo.InvariantCulture, $"{kind} p50 {LatencyRecorder.PercentileMs(sortedByAnswer[i], 50):0.0} / p99 {LatencyRecorder.PercentileMs(sortedByAnswer[i], 99):0.0} ms ({sortedByAnswer[i].Length})"))));
        Console.WriteLine("switch transitions seen: " + (transitions.Count == 0 ? "none" : string.Join(", ", transitions.Select(t => string.Create(CultureInfo.InvariantCulture, $"{(t.On ? "ON" : "OFF")} ({t.Reason}) at {t.At:0.0} s")))));
        Console.WriteLine(toOn is { } d
            ? string.Create(CultureInfo.InvariantCulture, $"crossed {settings.SpikeThreshold}/s at {crossedAt:0} s, queue ON at {onAt:0.0} s: {d:0.0} s later")
            : onAtStart == true
                ? "the queue was on before the spike: no time to queue ON measured"
                : "the queue did not turn on after the rate crossed the spike threshold (or no admin key to watch it)");
        errorTable.Print(Console.Out, "errors");
        if (adminErrors.Total > 0)
        {
            adminErrors.Print(Console.Out, "admin API errors (not the visitors')");
        }

        var json = new JsonObject
        {
            ["room"] = settings.Room,
            ["baseRate"] = settings.BaseRate,
            ["peakRate"] = settings.PeakRate,
            ["requests"] = requests,
            ["peakAchievedPerSecond"] = peakAchieved,
            ["p50Ms"] = Math.Round(LatencyRecorder.PercentileMs(sorted, 50), 2),
            ["p95Ms"] = Math.Round(LatencyRecorder.PercentileMs(sorted, 95), 2),
            ["p99Ms"] = Math.Round(LatencyRecorder.PercentileMs(sorted, 99), 2),
            ["passed"] = passed,
            ["diverted"] = diverted,
            ["errors"] = errors,
            ["errorKinds"] = errorTable.ToJson(),
            ["busy"] = busy,
            ["latencyByAnswer"] = new JsonObject(AnswerKinds.Select((kind, i) => KeyValuePair.Create(kind, (JsonNode?)(sortedByAnswer[i].Length == 0 ? null : new JsonObject
            {
                ["count"] = sortedByAnswer[i].Length,
                ["p50Ms"] = Math.Round(LatencyRecorder.PercentileMs(sortedByAnswer[i], 50), 2),
                ["p99Ms"] = Math.Round(LatencyRecorder.PercentileMs(sortedByAnswer[i], 99), 2),
            })))),
            ["unsent"] = unsent,
            ["queueOnAtStart"] = onAtStart,
            ["transitions"] = new JsonArray([.. transitions.Select(t => (JsonNode)new JsonObject { ["at"] = Math.Round(t.At, 2), ["to"] = t.On ? "on" : "off", ["reason"] = t.Reason })]),
            ["secondsFromSpikeToQueueOn"] = toOn is { } seconds2 ? Math.Round(seconds2, 2) : null,
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        Console.WriteLine("result " + json.ToJsonString());
        return errors == 0 ? 0 : 1;
    }

    /// <summary>What the switch last showed beyond on/off: "(Auto, calm; switch saw 118/s)".</summary>
    private static string SwitchSeen(RoomStatus? room) => room is null
        ? string.Empty
        : string.Create(CultureInfo.InvariantCulture, $" ({room.Mode}, {room.Reason}; switch saw {room.RatePerSecond:0}/s)");

    /// <summary>Target rate at <paramref name="t"/> seconds: a linear ramp, a plateau, then back to the base rate.</summary>
    private static double RateAt(SpikeSettings s, double t)
    {
        if (t < s.Ramp.TotalSeconds)
        {
            return s.BaseRate + (s.PeakRate - s.BaseRate) * (t / s.Ramp.TotalSeconds);
        }

        return t < (s.Ramp + s.Hold).TotalSeconds ? s.PeakRate : s.BaseRate;
    }

    private sealed class SecondStats
    {
        public long Sent;
        public long Passed;
        public long Diverted;
        public long Busy;
        public long Errors;
    }
}

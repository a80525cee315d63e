using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Bench.Errors;
using YarpWaitingRoom.Bench.Soak;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>How long, how hard and how often a soak rehearsal runs and samples (<c>./stack load soak</c>).</summary>
internal sealed record SoakSettings(
    Uri BaseUrl,
    string Room,
    TimeSpan Duration,
    int Concurrency,
    double ArrivalRate,
    TimeSpan SampleInterval,
    string? QueueMode,
    TimeSpan MaxWait,
    int ResetBelow,
    double Threshold,
    bool FullGc,
    string? AdminKey);

/// <summary>
/// Journeys (<see cref="JourneyVisitor"/>: join, WebSocket until admitted, enter, hold, confirm) back to back for a
/// duration, with the stack's memory sampled at a fixed interval (<see cref="MemorySampler"/>), and at the end a table of
/// every series (first, min, max, last) with <see cref="LevelRule"/>'s verdict: levels off or grows.
/// <para>
/// The demo sells 2,000 seats and a journey buys one, so a long soak would sell out and stop rehearsing purchases. The
/// soak starts with <c>./stack reset</c> (every seat free, every room empty), and when a visitor sees fewer free seats
/// than <see cref="SoakSettings.ResetBelow"/>, it stops starting journeys, lets those in flight finish, resets again and
/// sets the room's mode again: the same pattern as rehearsals with a reset between them, repeated. No answer ends the run: unexpected ones are
/// counted by kind and the soak goes on.
/// </para>
/// </summary>
internal static class SoakScenario
{
    public const string Name = "soak";

    public static async Task<int> RunAsync(SoakSettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: journeys for {Minutes(settings.Duration)}, {settings.Concurrency} at a time{(settings.ArrivalRate > 0 ? $", at most {settings.ArrivalRate:0.##} starts/s" : string.Empty)}, through {settings.BaseUrl} (room {settings.Room}{(settings.QueueMode is null ? string.Empty : ", mode " + settings.QueueMode)}); memory sampled every {settings.SampleInterval.TotalSeconds:0} s"));
        var resets = settings.ResetBelow > 0 && StackReset.Available;
        Console.WriteLine(resets
            ? $"  seats: ./stack reset when a visitor sees fewer than {settings.ResetBelow} free (journeys drain first)"
            : settings.ResetBelow > 0 ? $"  seats: no reset ({StackEndpoints.StackScript} not found); sold-out journeys still rehearse the queue" : "  seats: no reset (--reset-below 0)");
        if (ProcessMemory.PidFiles(StackEndpoints.RunDirectory).Count == 0)
        {
            Console.WriteLine($"  note: no pid files under {StackEndpoints.RunDirectory}: no RSS or GC series (set STACK_STATE_DIR to the stack's state directory)");
        }

        using var admin = RoomStatus.CreateAdminClient(settings.BaseUrl, settings.AdminKey);
        var errors = new ErrorTable();
        var adminErrors = new ErrorTable();
        var sampleErrors = new ErrorTable();
        if (resets)
        {
            // From a clean slate: every seat free, and no sessions or places left by an earlier run (an interrupted
            // rehearsal's admitted visitors would hold the room's capacity until their sessions expire).
            resets = await ResetAsync(slots: null, settings, admin, adminErrors, errors, cancellationToken);
        }

        if (!resets)
        {
            await SetModeAsync(admin, settings, adminErrors, cancellationToken);
        }

        await using var sampler = new MemorySampler(sampleErrors, settings.FullGc);
        var visitor = new JourneyVisitor(settings.BaseUrl, settings.MaxWait, errors);
        var outcomes = new ConcurrentDictionary<JourneyOutcome, int>();
        var begin = Stopwatch.GetTimestamp();
        double Now() => Stopwatch.GetElapsedTime(begin).TotalSeconds;
        var started = 0;
        var done = 0;
        var resetCount = 0;
        var lowestFree = int.MaxValue;

        await sampler.SampleAsync(0, cancellationToken);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(settings.SampleInterval);
            while (await timer.WaitForNextTickAsync(stopSampling.Token))
            {
                try
                {
                    await sampler.SampleAsync(Now(), stopSampling.Token);
                }
                catch (Exception ex) when (!stopSampling.IsCancellationRequested)
                {
                    sampleErrors.Add("sample", ex);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  t={Now(),5:0}s journeys {outcomes.Values.Sum()} ({JourneyScenario.Outcomes(outcomes)}) in flight {Volatile.Read(ref started) - Volatile.Read(ref done)} resets {Volatile.Read(ref resetCount)} errors {errors.Total} | MB proxy {sampler.Latest("proxy-a rss")}/{sampler.Latest("proxy-b rss")} hub {sampler.Latest("hub-a rss")}/{sampler.Latest("hub-b rss")} backend {sampler.Latest("backend-a rss")}/{sampler.Latest("backend-b rss")} redis used {sampler.Latest("redis used_memory")}"));
            }
        }, CancellationToken.None);

        // Closed loop: a slot per journey in flight; with --rate, starts are also paced.
        using var slots = new SemaphoreSlim(settings.Concurrency);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        run.CancelAfter(settings.Duration);
        var nextStart = 0.0;
        try
        {
            while (!run.IsCancellationRequested)
            {
                if (resets && Volatile.Read(ref lowestFree) < settings.ResetBelow)
                {
                    resets = await ResetAsync(slots, settings, admin, adminErrors, errors, cancellationToken);
                    Interlocked.Increment(ref resetCount);
                    Volatile.Write(ref lowestFree, int.MaxValue);
                    continue;
                }

                await slots.WaitAsync(run.Token);
                if (settings.ArrivalRate > 0)
                {
                    var wait = nextStart - Now();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(wait), run.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    }

                    nextStart = Math.Max(nextStart, Now()) + 1 / settings.ArrivalRate;
                }

                if (run.IsCancellationRequested)
                {
                    // The slot was granted as the run ended (journeys cancelled hand theirs back): start nothing more.
                    slots.Release();
                    break;
                }

                var index = Interlocked.Increment(ref started);
                _ = Task.Run(async () =>
                {
                    try
                    {
                        var result = await visitor.VisitAsync(index, cancellationToken);
                        outcomes.AddOrUpdate(result.Outcome, 1, (_, n) => n + 1);
                        if (result.FreeSeats is { } free)
                        {
                            LowerTo(ref lowestFree, result.Outcome == JourneyOutcome.Purchased ? free - 1 : free);
                        }
                    }
                    finally
                    {
                        Interlocked.Increment(ref done);
                        slots.Release();
                    }
                }, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            // The duration is over (or Ctrl-C): stop starting journeys.
        }

        var elapsed = Now();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  t={elapsed,5:0}s {(cancellationToken.IsCancellationRequested ? "cancelled" : "duration reached")}: waiting for {Volatile.Read(ref started) - Volatile.Read(ref done)} journeys in flight"));
        await DrainAsync(slots, settings, CancellationToken.None);
        await stopSampling.CancelAsync();
        await sampling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await sampler.SampleAsync(Now(), CancellationToken.None);
        if (settings.QueueMode is not null)
        {
            await SetModeAsync(admin, settings with { QueueMode = "Auto" }, adminErrors, CancellationToken.None);
        }

        var verdicts = sampler.Series.Select(s => (Series: s, Judgement: s.Judge(settings.Threshold))).ToList();
        var grows = verdicts.Where(v => v.Judgement.Verdict == LevelVerdict.Grows).Select(v => v.Series.Name).ToList();
        PrintSummary(settings, elapsed, started, outcomes, resetCount, visitor.BusyRetries, errors, adminErrors, sampleErrors, sampler, verdicts, grows);

        var json = new JsonObject
        {
            ["room"] = settings.Room,
            ["durationSeconds"] = Math.Round(elapsed, 1),
            ["concurrency"] = settings.Concurrency,
            ["arrivalRate"] = settings.ArrivalRate,
            ["sampleIntervalSeconds"] = settings.SampleInterval.TotalSeconds,
            ["fullGc"] = settings.FullGc,
            ["samples"] = sampler.Samples,
            ["journeys"] = started,
            ["purchased"] = outcomes.GetValueOrDefault(JourneyOutcome.Purchased),
            ["outcomes"] = JourneyScenario.OutcomesJson(outcomes),
            ["resets"] = resetCount,
            ["busyRetries"] = visitor.BusyRetries,
            ["errors"] = errors.Total,
            ["errorKinds"] = errors.ToJson(),
            ["samplingErrors"] = sampleErrors.ToJson(),
            ["levelRule"] = RuleText(settings.Threshold),
            ["grows"] = new JsonArray([.. grows.Select(g => (JsonNode)g)]),
            ["series"] = new JsonObject([.. sampler.Series.Select(s => KeyValuePair.Create(s.Name, (JsonNode?)s.ToJson(settings.Threshold)))]),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return cancellationToken.IsCancellationRequested ? 130 : errors.Total == 0 && grows.Count == 0 ? 0 : 1;
    }

    internal static string RuleText(double threshold) => string.Create(CultureInfo.InvariantCulture,
        $"grows = mean of the last third above the middle third's by more than max({threshold * 100:0.#} % of it, 1 MiB | 1 series) AND the least-squares line through the last half still rising by more than that; otherwise levels off (the first third is warm-up)");

    private static void PrintSummary(
        SoakSettings settings, double elapsed, int started, ConcurrentDictionary<JourneyOutcome, int> outcomes, int resets, long busy,
        ErrorTable errors, ErrorTable adminErrors, ErrorTable sampleErrors, MemorySampler sampler,
        List<(MemorySeries Series, LevelJudgement Judgement)> verdicts, List<string> grows)
    {
        var purchased = outcomes.GetValueOrDefault(JourneyOutcome.Purchased);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {elapsed / 60:0.0} min, {started} journeys ({purchased} purchased, {purchased / Math.Max(elapsed / 60, 1e-9):0} per minute), {resets} resets, {busy} busy retries, {sampler.Samples} samples every {settings.SampleInterval.TotalSeconds:0} s"));
        Console.WriteLine("outcomes: " + JourneyScenario.Outcomes(outcomes));
        errors.Print(Console.Out, "errors");
        if (adminErrors.Total > 0)
        {
            adminErrors.Print(Console.Out, "admin API errors (not the visitors')");
        }

        if (sampleErrors.Total > 0)
        {
            sampleErrors.Print(Console.Out, "sampling errors");
        }

        Console.WriteLine();
        Console.WriteLine($"{"series",-28} {"unit",5} {"first",9} {"min",9} {"max",9} {"last",9} {"mid 1/3",9} {"last 1/3",9} {"change",7}  verdict");
        foreach (var (series, judgement) in verdicts)
        {
            var change = double.IsFinite(judgement.Change) ? Math.Round(judgement.Change * 100, 1).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + "%" : "-";
            Console.WriteLine(
                $"{series.Name,-28} {(series.Unit == SeriesUnit.Bytes ? "MB" : "n"),5} {series.Format(series.First),9} {series.Format(series.Min),9} {series.Format(series.Max),9} {series.Format(series.Last),9} {series.Format(judgement.MiddleMean),9} {series.Format(judgement.LastMean),9} {change,7}  {judgement.Label}");
        }

        Console.WriteLine();
        Console.WriteLine("rule: " + RuleText(settings.Threshold));
        Console.WriteLine(
            grows.Count > 0 ? "grows: " + string.Join(", ", grows)
            : verdicts.All(v => v.Judgement.Verdict == LevelVerdict.TooShort) ? $"too few samples to judge (fewer than {LevelRule.MinSamples}): run longer or sample more often"
            : "every series levels off");
    }

    /// <summary>Stops new journeys, waits for those in flight, runs ./stack reset and sets the mode again; false when resets failed (no more are tried).</summary>
    private static async Task<bool> ResetAsync(
        SemaphoreSlim? slots, SoakSettings settings, HttpClient admin, ErrorTable adminErrors, ErrorTable errors, CancellationToken cancellationToken)
    {
        var taken = slots is null ? 0 : await DrainAsync(slots, settings, cancellationToken);
        try
        {
            var (succeeded, output) = await StackReset.RunAsync(cancellationToken);
            if (!succeeded)
            {
                errors.Add("reset failed", output);
                Console.WriteLine($"  ./stack reset failed; no more resets: {Answer.ExcerptOf(output)}");
                return false;
            }

            Console.WriteLine(slots is null
                ? "  ./stack reset: every seat free, every room empty"
                : "  seats running low: ./stack reset (every seat free, every room empty)");
            await SetModeAsync(admin, settings, adminErrors, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add("reset", ex);
            Console.WriteLine($"  ./stack reset could not run; no more resets: {ex.Message}");
            return false;
        }
        finally
        {
            if (taken > 0)
            {
                slots!.Release(taken);
            }
        }
    }

    /// <summary>Takes every slot, i.e. waits until no journey is in flight (at most the longest wait plus a minute); returns how many were taken.</summary>
    private static async Task<int> DrainAsync(SemaphoreSlim slots, SoakSettings settings, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.MaxWait + TimeSpan.FromMinutes(1));
        var taken = 0;
        try
        {
            for (; taken < settings.Concurrency; taken++)
            {
                await slots.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Console.WriteLine($"  {settings.Concurrency - taken} journeys still in flight after {(settings.MaxWait + TimeSpan.FromMinutes(1)).TotalSeconds:0} s; going on without them");
        }
        catch (OperationCanceledException) when (taken > 0)
        {
            // The run was cancelled while draining: hand the slots back, or the final drain would wait for them in vain.
            slots.Release(taken);
            throw;
        }

        return taken;
    }

    /// <summary>Sets the room's mode (when one is configured) and gives proxies a moment to see it; a failure is an admin error, not the end.</summary>
    private static async Task SetModeAsync(HttpClient admin, SoakSettings settings, ErrorTable adminErrors, CancellationToken cancellationToken)
    {
        if (settings.QueueMode is null)
        {
            return;
        }

        try
        {
            await RoomStatus.SetModeAsync(admin, settings.Room, settings.QueueMode, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1.2), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            adminErrors.Add("admin mode", ex);
            Console.WriteLine($"  note: could not set mode {settings.QueueMode} ({ex.Message})");
        }
    }

    private static void LowerTo(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static string Minutes(TimeSpan duration) =>
        duration.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#} min") : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0} s");
}

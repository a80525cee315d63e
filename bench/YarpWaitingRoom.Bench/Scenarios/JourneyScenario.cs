using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>Who and how many go through the journey (<c>./stack load journey</c>).</summary>
internal sealed record JourneySettings(Uri BaseUrl, string Room, int Visitors, int Concurrency, string? QueueMode, TimeSpan MaxWait, string? AdminKey);

/// <summary>
/// The journey k6/journey.js describes, run by this tool since k6 cannot run here: each visitor (a
/// <see cref="JourneyVisitor"/>) asks for a gated page, waits on the WebSocket (heartbeating) until admitted, enters
/// with the one-time code, holds a seat (another one on a conflict) and confirms it. A progress line each second; the
/// summary gives purchases, gave-ups, time in queue and time to purchase, the errors by kind (with an example each) and
/// the switch transitions seen. No answer ends the run: each unexpected one is counted and the next visitor goes on.
/// </summary>
internal static class JourneyScenario
{
    public const string Name = "journey";

    public static async Task<int> RunAsync(JourneySettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine($"journey: {settings.Visitors} visitors, {settings.Concurrency} at a time, through {settings.BaseUrl} (room {settings.Room}{(settings.QueueMode is null ? string.Empty : ", mode " + settings.QueueMode)})");
        using var admin = RoomStatus.CreateAdminClient(settings.BaseUrl, settings.AdminKey);
        var errors = new ErrorTable();
        var adminErrors = new ErrorTable();
        if (settings.QueueMode is not null)
        {
            try
            {
                await RoomStatus.SetModeAsync(admin, settings.Room, settings.QueueMode, cancellationToken);
                await Task.Delay(1200, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                adminErrors.Add("admin mode", ex);
                Console.WriteLine($"note: could not set mode {settings.QueueMode} ({ex.Message}); the journeys run with the room as it is");
            }
        }

        var visitor = new JourneyVisitor(settings.BaseUrl, settings.MaxWait, errors);
        var outcomes = new ConcurrentDictionary<JourneyOutcome, int>();
        var queueTimes = new ConcurrentBag<double>();
        var purchaseTimes = new ConcurrentBag<double>();
        var transitions = new List<string>();
        var begin = Stopwatch.GetTimestamp();
        var done = 0;
        using var slots = new SemaphoreSlim(settings.Concurrency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = Task.Run(async () =>
        {
            bool? was = null;
            while (!stop.IsCancellationRequested)
            {
                var state = "?";
                if (settings.AdminKey is not null)
                {
                    try
                    {
                        var room = await RoomStatus.ReadAsync(admin, settings.Room, stop.Token);
                        state = $"queue {(room.QueueOn ? "ON" : "off")}, waiting {room.Waiting}, active {room.Active}";
                        if (was is { } w && w != room.QueueOn)
                        {
                            transitions.Add($"{(room.QueueOn ? "ON" : "OFF")} ({room.Reason})");
                        }

                        was = room.QueueOn;
                    }
                    catch (Exception ex) when (!stop.IsCancellationRequested)
                    {
                        adminErrors.Add("admin", ex);
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  t={Stopwatch.GetElapsedTime(begin).TotalSeconds,4:0}s done {Volatile.Read(ref done)}/{settings.Visitors}  {Outcomes(outcomes)}  errors {errors.Total}  {state}"));
                await Task.Delay(1000, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, CancellationToken.None);

        var visitors = Enumerable.Range(0, settings.Visitors).Select(async i =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var result = await visitor.VisitAsync(i, cancellationToken);
                outcomes.AddOrUpdate(result.Outcome, 1, (_, n) => n + 1);
                if (result.QueueSeconds is { } queued)
                {
                    queueTimes.Add(queued);
                }

                if (result.PurchaseSeconds is { } bought)
                {
                    purchaseTimes.Add(bought);
                }
            }
            finally
            {
                Interlocked.Increment(ref done);
                slots.Release();
            }
        });
        await Task.WhenAll(visitors);
        await stop.CancelAsync();
        await progress.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (settings.QueueMode is not null)
        {
            try
            {
                await RoomStatus.SetModeAsync(admin, settings.Room, "Auto", CancellationToken.None);
            }
            catch (Exception ex)
            {
                adminErrors.Add("admin mode", ex);
            }
        }

        var purchased = outcomes.GetValueOrDefault(JourneyOutcome.Purchased);
        Console.WriteLine();
        Console.WriteLine($"{"visitors",9} {"purchased",10} {"queue p50 s",12} {"queue p95 s",12} {"buy p50 s",10} {"buy p95 s",10} {"busy",6} {"errors",7}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Visitors,9} {purchased,10} {Percentile(queueTimes, 50),12:0.0} {Percentile(queueTimes, 95),12:0.0} {Percentile(purchaseTimes, 50),10:0.0} {Percentile(purchaseTimes, 95),10:0.0} {visitor.BusyRetries,6} {errors.Total,7}"));
        Console.WriteLine("outcomes: " + Outcomes(outcomes));
        errors.Print(Console.Out, "errors");
        if (adminErrors.Total > 0)
        {
            adminErrors.Print(Console.Out, "admin API errors (not the visitors')");
        }

        Console.WriteLine("switch transitions seen: " + (transitions.Count == 0 ? "none" : string.Join(", ", transitions)));
        var json = new JsonObject
        {
            ["visitors"] = settings.Visitors,
            ["purchased"] = purchased,
            ["errors"] = errors.Total,
            ["busyRetries"] = visitor.BusyRetries,
            ["queueP50Seconds"] = Rounded(Percentile(queueTimes, 50)),
            ["purchaseP50Seconds"] = Rounded(Percentile(purchaseTimes, 50)),
            ["outcomes"] = OutcomesJson(outcomes),
            ["errorKinds"] = errors.ToJson(),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return errors.Total == 0 ? 0 : 1;
    }

    /// <summary><c>purchased 12 gave-up 1 …</c> in a fixed order.</summary>
    internal static string Outcomes(ConcurrentDictionary<JourneyOutcome, int> outcomes) =>
        string.Join(" ", outcomes.OrderBy(o => o.Key).Select(o => $"{JourneyResult.Label(o.Key)} {o.Value}"));

    internal static JsonObject OutcomesJson(ConcurrentDictionary<JourneyOutcome, int> outcomes) =>
        new([.. outcomes.OrderBy(o => o.Key).Select(o => KeyValuePair.Create(JourneyResult.Label(o.Key), (JsonNode?)o.Value))]);

    internal static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    internal static double? Rounded(double value) => double.IsNaN(value) ? null : Math.Round(value, 2);
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using YarpWaitingRoom.Bench.Errors;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// The sell-out rehearsal (<c>./stack load journey --sellout</c>, issue 15's figures): every seat of the demo sold through
/// the edge while more visitors wait on their sockets than the room admits. The room and the seats are reset, the room is
/// told its inventory (as an operator would; from then on the backend's answers keep it) and its queue forced on; then
/// as many visitors join as the room admits at once (<c>min(MaxActive, ceil(AdmitPerSeat × seats))</c>) and
/// <c>--waiting</c> more. The admitted take the seats in order of admission: the first <c>--hold-back</c> hold four each
/// (the backend's most) without confirming, the rest hold and confirm <c>--seats-per-visitor</c> each (1: the first
/// confirmation ends the session, and the backend then releases the visitor's other holds, so confirmations of several
/// seats race it), those admitted with nothing left leave. When the last seat
/// goes (the backend's seat list, polled on the internal load balancer, says none is left; the moment is the last answer
/// that took a seat before that), the run waits for every waiting socket's <c>soldout</c>; then for the leavers' admissions to lapse; then the
/// hold-back visitors release their holds through the edge and the run waits for the admissions that follow. The summary
/// sets the figures beside their goals (<see cref="SelloutFigures"/>); the room and the seats are reset at the end.
/// </summary>
internal static class SelloutScenario
{
    private const string BenchVisitor = "bench-sellout";

    // The admin API allows 5 calls a second per address on each proxy (RateLimits:AdminPerSecond).
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan InventoryInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan HearingTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ResumeTimeout = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(SelloutSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var admin = RoomStatus.CreateAdminClient(settings.BaseUrl, settings.AdminKey);
        using var backend = RoomStatus.CreateAdminClient(settings.Backend, settings.AdminKey);
        backend.DefaultRequestHeaders.Add(WaitingRoomHeaders.Visitor, BenchVisitor);
        var adminErrors = new ErrorTable();

        await ResetAsync(admin, backend, settings.Room, cancellationToken);
        var seats = await AvailableSeatsAsync(backend, cancellationToken);
        var visitorCount = settings.VisitorsFor(seats.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"journey --sellout: {seats.Count} seats, {visitorCount} visitors ({settings.Waiting} beyond what the room admits at once), buying {settings.SeatsPerVisitor} seat(s) each, {settings.HoldBack} holding back {SelloutSettings.MostSeatsPerVisitor} each; AdmitPerSeat {settings.AdmitPerSeat}, MaxActive {settings.MaxActive}; through {settings.BaseUrl} (room {settings.Room})"));
        await RoomStatus.SetInventoryAsync(admin, settings.Room, seats.Count, cancellationToken);
        await RoomStatus.SetModeAsync(admin, settings.Room, "On", cancellationToken);
        await Task.Delay(1200, cancellationToken);

        var run = new SelloutRun(seats, settings.SeatsPerVisitor, settings.HoldBack, SelloutSettings.MostSeatsPerVisitor);
        var errors = new ErrorTable();
        var visitor = new SelloutVisitor(settings.BaseUrl, run, errors, settings.HoldDuration);
        var samples = new ConcurrentQueue<RoomSample>();
        double? roomSoldOutAtMs = null;
        long[] lastActive = [-1];
        using var end = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = Task.Run(async () =>
        {
            var lastPrint = 0.0;
            while (!stopWatching.IsCancellationRequested)
            {
                try
                {
                    var room = await RoomStatus.ReadAsync(admin, settings.Room, stopWatching.Token);
                    var now = run.NowMs;
                    samples.Enqueue(new RoomSample(now, room.Active, run.Remaining));
                    Volatile.Write(ref lastActive[0], room.Active);
                    if (room.SoldOut && roomSoldOutAtMs is null && run.Taken > 0)
                    {
                        roomSoldOutAtMs = now;
                    }

                    if (now - lastPrint >= 1000)
                    {
                        lastPrint = now;
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  t={now / 1000,5:0.0}s  waiting sockets {run.WaitingNow}  admitted {run.Admitted}  seats taken {run.Taken}/{run.Seats} sold {run.Sold} released {run.Released}  heard soldout {run.HeardSoldOut}  errors {errors.Total}  room: waiting {room.Waiting} active {room.Active} inventory {room.InventoryRemaining?.ToString(CultureInfo.InvariantCulture) ?? "-"}{(room.SoldOut ? " SOLD OUT" : string.Empty)}"));
                    }
                }
                catch (Exception ex)
                {
                    if (!stopWatching.IsCancellationRequested)
                    {
                        adminErrors.Add("admin", ex);
                    }
                }

                await Task.Delay(SampleInterval, stopWatching.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, CancellationToken.None);

        var inventoryWatcher = Task.Run(async () =>
        {
            // The backend's own count, on its seat list's answer (not through a proxy, which would take the header off).
            while (!stopWatching.IsCancellationRequested)
            {
                try
                {
                    using var response = await backend.GetAsync(new Uri(JourneyVisitor.SeatsPath, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stopWatching.Token);
                    if (response.Headers.TryGetValues(WaitingRoomHeaders.Inventory, out var values)
                        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var remaining))
                    {
                        run.BackendSays(remaining);
                    }
                }
                catch (Exception ex)
                {
                    if (!stopWatching.IsCancellationRequested)
                    {
                        adminErrors.Add("backend seats", ex);
                    }
                }

                await Task.Delay(InventoryInterval, stopWatching.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, CancellationToken.None);

        using var joins = new SemaphoreSlim(settings.Concurrency);
        var visits = Enumerable.Range(0, visitorCount).Select(_ => visitor.VisitAsync(joins, end.Token, cancellationToken)).ToArray();
        var notes = new List<string>();
        var soldOut = await Within(run.SoldOut, settings.MaxWait, cancellationToken);
        var waitingAtSoldOut = run.WaitingNow;
        if (soldOut)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sold out at t={run.SoldOutAtMs / 1000:0.000}s with {waitingAtSoldOut} sockets waiting; waiting for their soldout"));
            var deadline = DateTime.UtcNow + HearingTimeout;
            while (run.HeardSoldOut < waitingAtSoldOut && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }

            // The admitted with nothing left never enter: their admissions lapse after the claim window, and until then
            // they count among the active, so seats coming back could admit no one.
            var settled = DateTime.UtcNow + settings.Settle;
            Console.WriteLine($"waiting (at most {settings.Settle.TotalSeconds:0} s) for the leavers' admissions to lapse: active down to the {settings.HoldBack} holding back");
            while (DateTime.UtcNow < settled && (Volatile.Read(ref lastActive[0]) is var active && (active < 0 || active > settings.HoldBack)))
            {
                await Task.Delay(500, cancellationToken);
            }

            var activeAtRelease = Volatile.Read(ref lastActive[0]);
            var heldBack = Math.Min(settings.HoldBack * SelloutSettings.MostSeatsPerVisitor, seats.Count);
            var allowed = (long)Math.Ceiling(settings.AdmitPerSeat * heldBack - 1e-9) - activeAtRelease;
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"at release: room active {activeAtRelease}, {heldBack} seats coming back, so the bound lets {Math.Max(allowed, 0)} in"));
            Console.WriteLine("releasing the held-back seats through the edge; " + notes[^1]);
            var admittedBefore = run.Admitted;
            run.Release();
            var resumeDeadline = DateTime.UtcNow + ResumeTimeout;
            while (DateTime.UtcNow < resumeDeadline && (run.Admitted - admittedBefore < Math.Max(allowed, 1) || run.Released < heldBack))
            {
                await Task.Delay(50, cancellationToken);
            }
        }
        else
        {
            notes.Add($"did not sell out within {settings.MaxWait.TotalSeconds:0} s ({run.Taken}/{run.Seats} seats taken)");
            Console.WriteLine(notes[^1]);
        }

        await end.CancelAsync();
        var results = await Task.WhenAll(visits);
        await stopWatching.CancelAsync();
        await watcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await inventoryWatcher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        try
        {
            await ResetAsync(admin, backend, settings.Room, CancellationToken.None);
        }
        catch (Exception ex)
        {
            adminErrors.Add("reset", ex);
        }

        // The figures count from the backend's moment when the answers told it, else from the answer's arrival.
        var soldOutAt = run.LastSeatCommittedAtMs ?? run.SoldOutAtMs;
        var hearings = results
            .Where(v => v.ConnectedAtMs is { } connected && connected < soldOutAt && (v.AdmittedAtMs is null || v.AdmittedAtMs > soldOutAt))
            .Select(v => new SoldOutHearing(v.SoldOutHeardMs, v.SoldOutNotices))
            .ToArray();
        var figures = SelloutFigures.Compute(soldOutAt, hearings, run.Admissions(), run.ReleasedAtMs, [.. samples], settings.AdmitPerSeat);
        Print(settings, run, results, figures, roomSoldOutAtMs, notes, errors, adminErrors);
        var json = new JsonObject
        {
            ["seats"] = seats.Count,
            ["visitors"] = visitorCount,
            ["admitPerSeat"] = settings.AdmitPerSeat,
            ["maxActive"] = settings.MaxActive,
            ["soldOutAtMs"] = Rounded(figures.SoldOutAtMs),
            ["answerAfterCommitMs"] = Rounded(run.SoldOutAtMs - run.LastSeatCommittedAtMs),
            ["roomSoldOutAfterMs"] = Rounded(roomSoldOutAtMs - soldOutAt),
            ["admittedAfterSoldOut"] = figures.AdmittedAfterSoldOut,
            ["admittedBeyondBound"] = figures.AdmittedBeyondBound,
            ["waitingAtSoldOut"] = figures.Waiting,
            ["heardSoldOut"] = figures.Heard,
            ["soldOutRepeated"] = figures.Repeated,
            ["soldOutP50Ms"] = Rounded(figures.SoldOutP50Ms),
            ["soldOutP99Ms"] = Rounded(figures.SoldOutP99Ms),
            ["soldOutMaxMs"] = Rounded(figures.SoldOutMaxMs),
            ["admittedAfterRelease"] = figures.AdmittedAfterRelease,
            ["firstAdmissionAfterReleaseMs"] = Rounded(figures.FirstAdmissionAfterReleaseMs),
            ["busyRetries"] = run.BusyRetries,
            ["errors"] = errors.Total,
            ["errorKinds"] = errors.ToJson(),
        };
        Console.WriteLine($"wrote {ResultsFile.Write("journey-sellout", json)}");
        return errors.Total == 0 && figures.AdmissionGoalMet && figures.SoldOutGoalMet ? 0 : 1;
    }

    private static void Print(
        SelloutSettings settings, SelloutRun run, SelloutVisit[] results, SelloutFigures figures, double? roomSoldOutAtMs,
        List<string> notes, ErrorTable errors, ErrorTable adminErrors)
    {
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"visitors {results.Length}: {string.Join(", ", results.GroupBy(v => v.Role).OrderBy(g => g.Key).Select(g => $"{Label(g.Key)} {g.Count()}"))}; failed {results.Count(v => v.Failed)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seats {run.Seats}: taken {run.Taken}, sold {run.Sold}, released {run.Released}; admission notices {run.Admitted}; busy answers tried again {run.BusyRetries}"));
        if (run.LastSeatCommittedAtMs is { } committed && run.SoldOutAtMs is { } answered)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"the last seat: taken by the backend at t={committed / 1000:0.000}s, its answer at the bench {answered - committed:0} ms later; the figures count from the backend's moment"));
        }

        if (roomSoldOutAtMs is { } roomSoldOut && figures.SoldOutAtMs is { } soldOut)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"the room showed sold out {roomSoldOut - soldOut:0} ms after the last seat went (admin API polled every {SampleInterval.TotalMilliseconds:0} ms)"));
        }

        foreach (var note in notes)
        {
            Console.WriteLine(note);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"figures (AdmitPerSeat {settings.AdmitPerSeat}, MaxActive {settings.MaxActive}):"));
        foreach (var line in figures.Table())
        {
            Console.WriteLine(line);
        }

        errors.Print(Console.Out, "errors");
        if (adminErrors.Total > 0)
        {
            adminErrors.Print(Console.Out, "admin API errors (not the visitors')");
        }
    }

    private static string Label(SelloutRole role) => role switch
    {
        SelloutRole.Waiting => "never admitted",
        SelloutRole.Buyer => "bought",
        SelloutRole.HoldBack => "held back",
        SelloutRole.Leaver => "admitted with nothing left",
        _ => role.ToString(),
    };

    private static double? Rounded(double? value) => value is { } v ? Math.Round(v, 1) : null;

    private static async Task<bool> Within(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.WhenAny(task, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return task.IsCompletedSuccessfully;
    }

    /// <summary>The room emptied (waiting, active, inventory, mode) and every seat freed.</summary>
    private static async Task ResetAsync(HttpClient admin, HttpClient backend, string room, CancellationToken cancellationToken)
    {
        // After the watcher's polling the admin API's allowance for this address may be spent for a second.
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        await RoomStatus.ResetAsync(admin, room, cancellationToken);
        using var response = await backend.PostAsync(new Uri("/admin/reset", UriKind.Relative), content: null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw (await Answer.ReadAsync("backend reset", response, cancellationToken)).Unexpected();
        }
    }

    /// <summary>The demo concert's available seats, from the backend itself (through the internal load balancer).</summary>
    private static async Task<List<int>> AvailableSeatsAsync(HttpClient backend, CancellationToken cancellationToken)
    {
        using var response = await backend.GetAsync(new Uri(JourneyVisitor.SeatsPath, UriKind.Relative), cancellationToken);
        var answer = await Answer.ReadAsync("seats", response, cancellationToken);
        if (answer.Status != (int)HttpStatusCode.OK)
        {
            throw answer.Unexpected();
        }

        var seats = new List<int>();
        foreach (var seat in answer.Array().EnumerateArray())
        {
            if (answer.String(seat, "status") == "available")
            {
                seats.Add(answer.Int32(seat, "id"));
            }
        }

        return seats;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using StackExchange.Redis;
using static YarpWaitingRoom.SystemTests.Faults.FaultTopology;

namespace YarpWaitingRoom.SystemTests.Faults;

/// <summary>
/// Faults injected into the whole stack as an SRE would: processes killed and paused, Redis and PostgreSQL taken away.
/// Each test asserts the outcomes (nothing lost, nothing twice, the cap kept, recovered by itself) and reports what the
/// fault cost (<see cref="FaultReport"/>).
/// </summary>
[Collection(FaultGroup.Name)]
public sealed class FaultTests(FaultTopology stack)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HubKilled_EveryClientIsBackOnALiveHubWithinSeconds_ARestartedHubTakesItsShare_AndAdmissionsAreDeliveredOnce()
    {
        using var edge = stack.Client();
        var visitors = await LiveVisitorsAsync(edge, 200);
        try
        {
            var onA = await stack.HubConnectionsAsync("STACK_HUB_A_PORT", Cancellation);
            var onB = await stack.HubConnectionsAsync("STACK_HUB_B_PORT", Cancellation);
            Assert.True(onA >= 60 && onB >= 60, $"sockets not spread over the hubs: A {onA}, B {onB}");

            // 1. Hub A dies. Its clients must be back on hub B within seconds, not after a minute of 502s.
            var killedA = Stopwatch.GetTimestamp();
            await stack.KillAsync("hub-a", Cancellation);
            var afterKillA = await UntilAsync(() => Task.FromResult(visitors.Sum(v => v.Drops) >= onA && visitors.All(v => v.IsLive)), TimeSpan.FromSeconds(20), Cancellation) is null
                ? (TimeSpan?)null
                : Stopwatch.GetElapsedTime(killedA);
            Assert.True(afterKillA is not null, $"{visitors.Count(v => !v.IsLive)} of {visitors.Count} clients not back on a hub 20 s after hub A was killed");

            // 2. Hub A restarts: the edge sends it the new sockets (least connections) until the pair is even.
            await stack.UpAsync(Cancellation);
            var newcomers = new List<SocketVisitor>();
            for (var i = 0; i < 40; i++)
            {
                newcomers.Add(await SocketVisitor.JoinAsync(edge, Cancellation));
            }

            visitors.AddRange(newcomers);
            newcomers.ForEach(v => v.Start());
            Assert.NotNull(await UntilAsync(() => Task.FromResult(newcomers.All(v => v.IsLive)), TimeSpan.FromSeconds(20), Cancellation));
            var restartedShare = await stack.HubConnectionsAsync("STACK_HUB_A_PORT", Cancellation);
            Assert.True(restartedShare >= 30, $"the restarted hub took {restartedShare} of 40 new sockets");

            // 3. Admissions run (50 at a time, every second as capacity frees), and hub B dies in the middle of them.
            await stack.SetModeAsync("On", Cancellation);
            var dropsBefore = visitors.Sum(v => v.Drops);
            var onBNow = await stack.HubConnectionsAsync("STACK_HUB_B_PORT", Cancellation);
            var killedB = Stopwatch.GetTimestamp();
            await stack.KillAsync("hub-b", Cancellation);
            var afterKillB = await UntilAsync(
                // Drops seen (half of B's sockets at least: the others may have been admitted meanwhile), and everyone back.
                () => Task.FromResult(visitors.Sum(v => v.Drops) - dropsBefore >= onBNow / 2 && visitors.All(v => v.IsLive || v.Admissions > 0)),
                TimeSpan.FromSeconds(20),
                Cancellation) is null
                ? (TimeSpan?)null
                : Stopwatch.GetElapsedTime(killedB);
            Assert.True(afterKillB is not null, $"{visitors.Count(v => !v.IsLive && v.Admissions == 0)} clients not back 20 s after hub B was killed");
            await Task.Delay(TimeSpan.FromSeconds(3), Cancellation);
            await stack.SetModeAsync("Paused", Cancellation);

            // Every admission of these visitors reached its visitor, exactly once, and nobody lost a place.
            var ours = visitors.ToDictionary(v => v.TicketId, StringComparer.Ordinal);
            var admitted = (await stack.AdmittedTicketsAsync()).Where(ours.ContainsKey).ToList();
            Assert.NotEmpty(admitted);
            Assert.Equal(admitted.Count, admitted.Distinct(StringComparer.Ordinal).Count());
            var delivered = await UntilAsync(() => Task.FromResult(admitted.All(t => ours[t].Admissions == 1)), TimeSpan.FromSeconds(15), Cancellation);
            Assert.True(delivered is not null, $"{admitted.Count(t => ours[t].Admissions == 0)} of {admitted.Count} admissions never reached their visitor");
            Assert.All(visitors, v => Assert.InRange(v.Admissions, 0, 1));
            Assert.All(visitors, v => Assert.Empty(v.Gone));

            FaultReport.Record(stack.Stack.RepositoryRoot, "hub killed (SIGKILL), 200 sockets through the edge",
                $"all back on a live hub {FaultReport.Seconds(afterKillA)} after the kill (sockets were A {onA} / B {onB}); "
                + $"restarted hub took {restartedShare} of 40 new sockets; other hub killed during admissions: all back in "
                + $"{FaultReport.Seconds(afterKillB)}, {admitted.Count} admitted, each notified exactly once, no place lost");
        }
        finally
        {
            await Task.WhenAll(visitors.Select(v => v.DisposeAsync().AsTask()));
            await stack.UpAsync(Cancellation);
        }
    }

    [Fact]
    public async Task HubStopped_HandsItsClientsBackWith1012_AndTheyAreBackAtOnce()
    {
        using var edge = stack.Client();
        var visitors = await LiveVisitorsAsync(edge, 100);
        try
        {
            var onA = await stack.HubConnectionsAsync("STACK_HUB_A_PORT", Cancellation);

            // A rolling update: SIGTERM, as ./stack down, docker stop and Kubernetes do.
            var signalled = Stopwatch.GetTimestamp();
            await stack.SignalAsync("hub-a", "TERM", Cancellation);
            var back = await UntilAsync(() => Task.FromResult(visitors.Sum(v => v.Drops) >= onA && visitors.All(v => v.IsLive)), TimeSpan.FromSeconds(15), Cancellation) is null
                ? (TimeSpan?)null
                : Stopwatch.GetElapsedTime(signalled);

            Assert.True(back is not null, $"{visitors.Count(v => !v.IsLive)} clients not back 15 s after hub A was stopped");
            Assert.Equal(onA, visitors.Sum(v => v.CloseCodes.Count(c => c == 1012)));
            Assert.All(visitors, v => Assert.Empty(v.Gone));
            FaultReport.Record(stack.Stack.RepositoryRoot, "hub stopped (SIGTERM), 100 sockets",
                $"{onA} sockets handed back with 1012; all back on the other hub {FaultReport.Seconds(back)} after the signal");
        }
        finally
        {
            await Task.WhenAll(visitors.Select(v => v.DisposeAsync().AsTask()));
            await stack.UpAsync(Cancellation);
        }
    }

    [Fact]
    public async Task ProxyKilledUnderTraffic_FailsNoRequestButAResponseItWasSending()
    {
        await stack.ResetAsync(Cancellation);
        using var visitor = stack.Client(cookies: true);
        using (var first = await visitor.GetAsync("/api/concerts", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await visitor.GetAsync("/api/concerts", Cancellation);
                    statuses.Add((int)response.StatusCode);
                }
                catch (HttpRequestException)
                {
                    statuses.Add(0);
                }
            }
        }, Cancellation)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2), Cancellation);
        await stack.KillAsync("proxy-a", Cancellation);
        await Task.WhenAll(workers);
        await stack.UpAsync(Cancellation);

        var failed = statuses.Count(s => s != 200);
        FaultReport.Record(stack.Stack.RepositoryRoot, "proxy killed (SIGKILL) under traffic", $"{statuses.Count} requests, {failed} failed");
        // The edge retries every request the dead proxy refused or never answered (proxy_next_upstream error); a response
        // the proxy had begun to send when it was killed cannot be retried, so at most the clients' in-flight requests
        // (one each) fail, never more.
        Assert.InRange(failed, 0, workers.Length);
    }

    [Fact]
    public async Task RedisKilledAndRestarted_KeepsEveryPlaceInOrder_ServesNewVisitorsFailOpenMeanwhile_AndAdmitsAgain()
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("Paused", Cancellation);
        using var edge = stack.Client();
        for (var i = 0; i < 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/concerts");
            request.Headers.Accept.ParseAdd("application/json");
            using var join = await edge.SendAsync(request, Cancellation);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, join.StatusCode);
        }

        var before = await stack.WaitingAsync();
        Assert.Equal(300, before.Count);
        // appendfsync everysec: what was written more than a second ago is on disk.
        await Task.Delay(TimeSpan.FromSeconds(1.5), Cancellation);
        await stack.KillAsync("redis", Cancellation);

        // Redis gone, FailurePolicy Open: a new visitor is served, and the backend gets a visitor id (was 401 for all).
        var failOpen = new List<int>();
        for (var i = 0; i < 10; i++)
        {
            using var newcomer = stack.Client();
            using var response = await newcomer.GetAsync("/api/concerts", Cancellation);
            failOpen.Add((int)response.StatusCode);
        }

        await stack.UpAsync(Cancellation);
        var restarted = Stopwatch.GetTimestamp();
        Assert.NotNull(await UntilAsync(stack.RedisAnswersAsync, TimeSpan.FromSeconds(20), Cancellation));
        var after = await stack.WaitingAsync();
        await stack.SetModeAsync("On", Cancellation);
        var firstAdmission = await UntilAsync(async () => (await stack.AdmittedTicketsAsync()).Any(before.Contains), TimeSpan.FromSeconds(30), Cancellation);
        var sinceRestart = Stopwatch.GetElapsedTime(restarted);
        // The room's event stream outlives ./stack reset: only these visitors' admissions count.
        var ours = before.ToHashSet(StringComparer.Ordinal);
        var admitted = (await stack.AdmittedTicketsAsync()).Where(ours.Contains).ToList();
        await stack.SetModeAsync("Paused", Cancellation);

        FaultReport.Record(stack.Stack.RepositoryRoot, "Redis killed (SIGKILL) and restarted, 300 waiting (AOF)",
            $"{after.Count} of 300 places kept in order; new visitors while down: {string.Join('/', failOpen.Distinct())}; "
            + $"first admission {sinceRestart.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s after Redis was back (mode On set once the admin API answered)");
        Assert.Equal(before, after);
        Assert.All(failOpen, status => Assert.Equal(200, status));
        Assert.NotNull(firstAdmission);
        Assert.Equal(before.Take(admitted.Count), admitted);
    }

    [Fact]
    public async Task PostgresDown_HoldsGet503WithRetryAfterAndAProblem_NeverA500_AndRecoverByThemselves()
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("Off", Cancellation);
        using var visitor = stack.Client(cookies: true);
        using (var first = await visitor.GetAsync("/api/concerts", Cancellation))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await stack.PostgresAsync("stop", Cancellation);
        var answers = new List<(int Status, string? RetryAfter, string? Type)>();
        var seat = 1;
        var outage = Stopwatch.StartNew();
        try
        {
            while (outage.Elapsed < TimeSpan.FromSeconds(5))
            {
                using var hold = await visitor.PostAsJsonAsync("/api/holds", new { seatId = seat++ }, Cancellation);
                var body = await hold.Content.ReadAsStringAsync(Cancellation);
                var type = body.StartsWith('{') && Json(body).TryGetProperty("type", out var t) ? t.GetString() : null;
                answers.Add(((int)hold.StatusCode, hold.Headers.RetryAfter?.ToString(), type));
                await Task.Delay(100, Cancellation);
            }
        }
        finally
        {
            await stack.PostgresAsync("start", Cancellation);
        }

        var recovered = await UntilAsync(async () =>
        {
            using var hold = await visitor.PostAsJsonAsync("/api/holds", new { seatId = 1000 }, Cancellation);
            return hold.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict;
        }, TimeSpan.FromSeconds(30), Cancellation);

        FaultReport.Record(stack.Stack.RepositoryRoot, "PostgreSQL stopped for 5 s",
            $"{answers.Count} holds: " + string.Join(", ", answers.GroupBy(a => a.Status).Select(g => $"{g.Count()} × {g.Key}"))
            + $"; first hold after restart {FaultReport.Seconds(recovered)} after ./stack up returned");
        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.Equal((503, "urn:yarp-waiting-room:problem:database-unavailable"), (a.Status, a.Type)));
        Assert.All(answers, a => Assert.False(string.IsNullOrEmpty(a.RetryAfter)));
        Assert.NotNull(recovered);
    }

    [Fact]
    public async Task PausedAdmissionLockHolder_NeverAdmitsTwiceOrAboveTheCap()
    {
        using var edge = stack.Client();
        var visitors = await LiveVisitorsAsync(edge, 300);
        var maxActive = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                try
                {
                    var active = await stack.Redis.SortedSetLengthAsync($"{{wr:{Room}}}:active");
                    maxActive = Math.Max(maxActive, active);
                }
                catch (RedisException)
                {
                }

                await Task.Delay(50, Cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, Cancellation);
        try
        {
            await stack.SetModeAsync("On", Cancellation);

            // Each proxy in turn hangs for 12 s around several ticks, whichever holds the admission lock, then wakes up.
            foreach (var proxy in new[] { "proxy-a", "proxy-b" })
            {
                await stack.SignalAsync(proxy, "STOP", Cancellation);
                await Task.Delay(TimeSpan.FromSeconds(12), Cancellation);
                await stack.SignalAsync(proxy, "CONT", Cancellation);
                await Task.Delay(TimeSpan.FromSeconds(2), Cancellation);
            }

            await stack.SetModeAsync("Paused", Cancellation);
            var ours = visitors.Select(v => v.TicketId).ToHashSet(StringComparer.Ordinal);
            var admitted = (await stack.AdmittedTicketsAsync()).Where(ours.Contains).ToList();
            FaultReport.Record(stack.Stack.RepositoryRoot, "admission lock holder paused (SIGSTOP 12 s, each proxy in turn)",
                $"{admitted.Count} admitted in {admitted.Distinct(StringComparer.Ordinal).Count()} distinct tickets; most active at once {maxActive} (cap {MaxActive}); "
                + $"most notices to one visitor {visitors.Max(v => v.Admissions)}");
            Assert.True(admitted.Count > MaxActive, $"only {admitted.Count} admitted: admission did not go on around the pauses");
            Assert.Equal(admitted.Count, admitted.Distinct(StringComparer.Ordinal).Count());
            Assert.InRange(maxActive, 1, MaxActive);
            Assert.All(visitors, v => Assert.InRange(v.Admissions, 0, 1));
        }
        finally
        {
            await sampling.CancelAsync();
            await sampler;
            foreach (var proxy in new[] { "proxy-a", "proxy-b" })
            {
                await stack.SignalAsync(proxy, "CONT", CancellationToken.None);
            }

            await Task.WhenAll(visitors.Select(v => v.DisposeAsync().AsTask()));
        }
    }

    /// <summary>From an empty room with the queue on and admission paused: <paramref name="count"/> visitors waiting, each with a live socket.</summary>
    private async Task<List<SocketVisitor>> LiveVisitorsAsync(HttpClient edge, int count)
    {
        await stack.ResetAsync(Cancellation);
        await stack.SetModeAsync("Paused", Cancellation);
        var visitors = new List<SocketVisitor>();
        for (var i = 0; i < count; i++)
        {
            visitors.Add(await SocketVisitor.JoinAsync(edge, Cancellation));
        }

        visitors.ForEach(v => v.Start());
        Assert.NotNull(await UntilAsync(() => Task.FromResult(visitors.All(v => v.IsLive)), TimeSpan.FromSeconds(20), Cancellation));
        return visitors;
    }
}

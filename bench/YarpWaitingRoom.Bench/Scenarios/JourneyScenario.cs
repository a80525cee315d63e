using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>Who and how many go through the journey (<c>./stack load journey</c>).</summary>
internal sealed record JourneySettings(Uri BaseUrl, string Room, int Visitors, int Concurrency, string? QueueMode, TimeSpan MaxWait, string? AdminKey);

/// <summary>
/// The journey k6/journey.js describes, run by this tool since k6 cannot run here: each visitor asks for a gated page,
/// waits on the WebSocket (heartbeating) until admitted, enters with the one-time code, holds a seat (another one on a
/// conflict) and confirms it. A progress line each second; the summary gives purchases, gave-ups, time in queue and
/// time to purchase, errors and the switch transitions seen.
/// </summary>
internal static class JourneyScenario
{
    public const string Name = "journey";

    public static async Task<int> RunAsync(JourneySettings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine($"journey: {settings.Visitors} visitors, {settings.Concurrency} at a time, through {settings.BaseUrl} (room {settings.Room}{(settings.QueueMode is null ? string.Empty : ", mode " + settings.QueueMode)})");
        using var admin = new HttpClient { BaseAddress = settings.BaseUrl };
        if (settings.AdminKey is not null)
        {
            admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", settings.AdminKey);
        }

        if (settings.QueueMode is not null)
        {
            (await admin.PutAsJsonAsync($"/_wr/admin/rooms/{settings.Room}/mode", new { mode = settings.QueueMode }, cancellationToken)).EnsureSuccessStatusCode();
            await Task.Delay(1200, cancellationToken);
        }

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var queueTimes = new System.Collections.Concurrent.ConcurrentBag<double>();
        var purchaseTimes = new System.Collections.Concurrent.ConcurrentBag<double>();
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
                string state = "?";
                if (settings.AdminKey is not null)
                {
                    try
                    {
                        var room = await admin.GetFromJsonAsync<JsonElement>($"/_wr/admin/rooms/{settings.Room}", stop.Token);
                        var on = room.GetProperty("queueOn").GetBoolean();
                        state = $"queue {(on ? "ON" : "off")}, waiting {room.GetProperty("waiting").GetInt64()}, active {room.GetProperty("active").GetInt64()}";
                        if (was is { } w && w != on)
                        {
                            transitions.Add($"{(on ? "ON" : "OFF")} ({room.GetProperty("reason").GetString()})");
                        }

                        was = on;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
                    {
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  t={Stopwatch.GetElapsedTime(begin).TotalSeconds,4:0}s done {Volatile.Read(ref done)}/{settings.Visitors}  {string.Join(" ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"))}  {state}"));
                await Task.Delay(1000, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, CancellationToken.None);

        var visitors = Enumerable.Range(0, settings.Visitors).Select(async i =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                var outcome = await VisitAsync(settings, i, queueTimes, purchaseTimes, cancellationToken);
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
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
            await admin.PutAsJsonAsync($"/_wr/admin/rooms/{settings.Room}/mode", new { mode = "Auto" }, CancellationToken.None);
        }

        static double Pct(IEnumerable<double> values, double p)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        }

        var purchased = outcomes.GetValueOrDefault("purchased");
        var errors = outcomes.Where(o => o.Key.StartsWith("error", StringComparison.Ordinal)).Sum(o => o.Value);
        Console.WriteLine();
        Console.WriteLine($"{"visitors",9} {"purchased",10} {"queue p50 s",12} {"queue p95 s",12} {"buy p50 s",10} {"buy p95 s",10} {"errors",7}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{settings.Visitors,9} {purchased,10} {Pct(queueTimes, 50),12:0.0} {Pct(queueTimes, 95),12:0.0} {Pct(purchaseTimes, 50),10:0.0} {Pct(purchaseTimes, 95),10:0.0} {errors,7}"));
        Console.WriteLine("outcomes: " + string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}")));
        Console.WriteLine("switch transitions seen: " + (transitions.Count == 0 ? "none" : string.Join(", ", transitions)));
        var json = new JsonObject
        {
            ["visitors"] = settings.Visitors,
            ["purchased"] = purchased,
            ["errors"] = errors,
            ["queueP50Seconds"] = double.IsNaN(Pct(queueTimes, 50)) ? null : Math.Round(Pct(queueTimes, 50), 2),
            ["purchaseP50Seconds"] = double.IsNaN(Pct(purchaseTimes, 50)) ? null : Math.Round(Pct(purchaseTimes, 50), 2),
            ["outcomes"] = new JsonObject([.. outcomes.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value))]),
        };
        Console.WriteLine($"wrote {ResultsFile.Write(Name, json)}");
        return errors == 0 ? 0 : 1;
    }

    private static async Task<string> VisitAsync(
        JourneySettings settings, int index, System.Collections.Concurrent.ConcurrentBag<double> queueTimes,
        System.Collections.Concurrent.ConcurrentBag<double> purchaseTimes, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var http = new HttpClient(new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = settings.BaseUrl };
        try
        {
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/concerts"))
            {
                request.Headers.Accept.ParseAdd("application/json");
                using var first = await http.SendAsync(request, cancellationToken);
                if (first.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    var queued = await first.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                    var enterUrl = await WaitForAdmissionAsync(settings, queued.GetProperty("wsUrl").GetString()!, cancellationToken);
                    if (enterUrl is null)
                    {
                        return "gave-up";
                    }

                    queueTimes.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                    using var enter = await http.GetAsync(enterUrl, cancellationToken);
                    if (enter.StatusCode != HttpStatusCode.Found)
                    {
                        return $"error-enter-{(int)enter.StatusCode}";
                    }
                }
                else if (first.StatusCode != HttpStatusCode.OK)
                {
                    return $"error-join-{(int)first.StatusCode}";
                }
                else
                {
                    queueTimes.Add(0);
                }
            }

            var seats = await http.GetFromJsonAsync<JsonElement>("/api/concerts/1/seats", cancellationToken);
            var free = seats.EnumerateArray().Where(s => s.GetProperty("status").GetString() == "available").Select(s => s.GetProperty("id").GetInt32()).ToArray();
            for (var attempt = 0; attempt < 5 && free.Length > 0; attempt++)
            {
                var seatId = free[(index * 7 + attempt * 131) % free.Length];
                using var hold = await http.PostAsJsonAsync("/api/holds", new { seatId }, cancellationToken);
                if (hold.StatusCode == HttpStatusCode.Conflict)
                {
                    continue;
                }

                if (hold.StatusCode != HttpStatusCode.Created)
                {
                    return $"error-hold-{(int)hold.StatusCode}";
                }

                var holdId = (await hold.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
                using var confirm = await http.PostAsync($"/api/holds/{holdId}/confirm", content: null, cancellationToken);
                if (confirm.StatusCode != HttpStatusCode.Created)
                {
                    return $"error-confirm-{(int)confirm.StatusCode}";
                }

                purchaseTimes.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                return "purchased";
            }

            return free.Length == 0 ? "sold-out" : "conflicts";
        }
        catch (Exception ex) when (ex is HttpRequestException or WebSocketException or JsonException or TaskCanceledException)
        {
            return "error-" + ex.GetType().Name;
        }
    }

    /// <summary>Waits on the WebSocket, heartbeating, until the admission notice; null when the place is gone or time runs out.</summary>
    private static async Task<string?> WaitForAdmissionAsync(JourneySettings settings, string wsPath, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        var ws = new UriBuilder(new Uri(settings.BaseUrl, wsPath)) { Scheme = settings.BaseUrl.Scheme == "https" ? "wss" : "ws" }.Uri;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.MaxWait);
        await socket.ConnectAsync(ws, timeout.Token);
        var heartbeat = Task.Run(async () =>
        {
            while (socket.State == WebSocketState.Open && !timeout.IsCancellationRequested)
            {
                await socket.SendAsync("{\"type\":\"heartbeat\"}"u8.ToArray(), WebSocketMessageType.Text, true, timeout.Token);
                await Task.Delay(TimeSpan.FromSeconds(10), timeout.Token);
            }
        }, CancellationToken.None);
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                var message = JsonDocument.Parse(buffer.AsMemory(0, result.Count)).RootElement;
                switch (message.GetProperty("type").GetString())
                {
                    case "admitted":
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "entering", CancellationToken.None);
                        return message.GetProperty("enterUrl").GetString();
                    case "gone":
                        return null;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            await timeout.CancelAsync();
            await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}

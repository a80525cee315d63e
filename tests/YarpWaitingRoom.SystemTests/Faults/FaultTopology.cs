using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.SystemTests.Faults;

/// <summary>
/// The stack the fault suite breaks: the whole topology from <c>./stack up</c>, with the timings of the SRE rehearsal
/// that found the faults (<c>MaxActive</c> 50, admission every second, a 3-s claim window well inside the 30-s
/// AbandonAfter, so admissions lapse and more follow), and helpers to kill, pause and restart its processes.
/// Every fault test starts from <see cref="ResetAsync"/>: every process up, the room empty, every seat free.
/// </summary>
public sealed class FaultTopology : IAsyncLifetime
{
    public const string Room = "concert";

    public const int MaxActive = 50;

    /// <summary>The production per-address limit of the visitor endpoints, on each proxy and each hub.</summary>
    public const int VisitorPerSecond = 20;

    public const int VisitorBurst = 100;

    public StackRun Stack { get; } = StackRun.Create(new Dictionary<string, string?>
    {
        [$"WaitingRoom__Rooms__{Room}__MaxActive"] = MaxActive.ToString(CultureInfo.InvariantCulture),
        [$"WaitingRoom__Rooms__{Room}__AdmitInterval"] = "00:00:01",
        [$"WaitingRoom__Rooms__{Room}__ClaimWindow"] = "00:00:03",
        ["SocketHub__PushInterval"] = "00:00:02",
        // The production per-address limits of the visitor endpoints (./stack raises them for local rehearsals): the
        // security suite floods from one address, the fault suite's visitors each come from an address of their own.
        ["WaitingRoom__RateLimits__VisitorPerSecond"] = VisitorPerSecond.ToString(CultureInfo.InvariantCulture),
        ["WaitingRoom__RateLimits__VisitorBurst"] = VisitorBurst.ToString(CultureInfo.InvariantCulture),
    });

    private ConnectionMultiplexer? _redis;

    public Uri Edge => Stack.Edge;

    /// <summary>The stack's Redis, through a client that reconnects by itself after a restart.</summary>
    public IDatabase Redis => _redis!.GetDatabase();

    public string RedisPort => Port("STACK_REDIS_PORT");

    public string Port(string variable) => Stack.Ports[variable].ToString(CultureInfo.InvariantCulture);

    public async ValueTask InitializeAsync()
    {
        var up = await Stack.UpAsync(TestContext.Current.CancellationToken);
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException("./stack up failed:\n" + up.Output);
        }

        _redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { $"127.0.0.1:{RedisPort}" },
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            SyncTimeout = 2000,
            AsyncTimeout = 2000,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await Stack.DisposeAsync();
    }

    /// <summary>Every process up again (<c>./stack up</c> starts only what is not running), then the room emptied.</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        await UpAsync(cancellationToken);
        (await Stack.ResetAsync(cancellationToken)).EnsureSuccess("./stack reset");
        await SetModeAsync("Auto", cancellationToken);
    }

    /// <summary>Starts whatever is not running and waits until everything is ready.</summary>
    public async Task UpAsync(CancellationToken cancellationToken) =>
        (await Stack.UpAsync(cancellationToken)).EnsureSuccess("./stack up");

    public int PidOf(string service) =>
        int.Parse(File.ReadLines(Path.Combine(Stack.StateDirectory, "run", service + ".pid")).First(), CultureInfo.InvariantCulture);

    /// <summary>SIGKILL, as a crash or the OOM killer would: no drain, no goodbye.</summary>
    public async Task KillAsync(string service, CancellationToken cancellationToken)
    {
        using var process = Process.GetProcessById(PidOf(service));
        process.Kill();
        await process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>SIGSTOP / SIGCONT: a process that hangs (a long GC pause, a frozen VM) and wakes up later.</summary>
    public async Task SignalAsync(string service, string signal, CancellationToken cancellationToken) =>
        (await ExternalProcess.RunAsync("kill", ["-" + signal, PidOf(service).ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10), cancellationToken: cancellationToken))
            .EnsureSuccess($"kill -{signal} {service}");

    /// <summary>Stops (<c>fast</c>) or starts the stack's PostgreSQL.</summary>
    public async Task PostgresAsync(string action, CancellationToken cancellationToken)
    {
        if (action == "start")
        {
            await UpAsync(cancellationToken);
            return;
        }

        var pgCtl = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_ctl")).First(File.Exists);
        var data = Path.Combine(Stack.StateDirectory, "pg", "data");
        var command = Environment.UserName == "root" ? "runuser" : pgCtl;
        string[] arguments = Environment.UserName == "root"
            ? ["-u", "postgres", "--", pgCtl, "-D", data, "-m", "fast", "-w", "stop"]
            : ["-D", data, "-m", "fast", "-w", "stop"];
        (await ExternalProcess.RunAsync(command, arguments, TimeSpan.FromSeconds(30), cancellationToken: cancellationToken)).EnsureSuccess("pg_ctl stop");
    }

    public HttpClient Client(bool cookies = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = cookies }) { BaseAddress = Edge };

    /// <summary>Sets the room's mode through the edge (retried while the proxies reconnect), then lets every proxy apply it.</summary>
    public async Task SetModeAsync(string mode, CancellationToken cancellationToken)
    {
        using var admin = Client();
        admin.DefaultRequestHeaders.Add("X-WaitingRoom-Admin-Key", StackRun.AdminKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{Room}/mode", new { mode }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"setting mode {mode} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await Task.Delay(200, cancellationToken);
        }

        // Every proxy applies a mode change within a second (pub/sub, 1-s poll as the fallback).
        await Task.Delay(TimeSpan.FromSeconds(1.2), cancellationToken);
    }

    /// <summary>Tickets admitted so far, per the room's event stream (one entry per batch).</summary>
    public async Task<List<string>> AdmittedTicketsAsync()
    {
        var tickets = new List<string>();
        foreach (var entry in await Redis.StreamRangeAsync($"{{wr:{Room}}}:events"))
        {
            if (entry["type"] == "admitted")
            {
                tickets.AddRange(((string)entry["tickets"]!).Split(','));
            }
        }

        return tickets;
    }

    /// <summary>Whether the test's own Redis client is connected again (it reconnects by itself after a restart).</summary>
    public async Task<bool> RedisAnswersAsync()
    {
        try
        {
            await Redis.PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    /// <summary>The waiting tickets, first in line first (the waiting set holds each visitor with its sequence: the ticket names both).</summary>
    public async Task<List<string>> WaitingAsync() =>
        [.. (await Redis.SortedSetRangeByRankWithScoresAsync($"{{wr:{Room}}}:waiting")).Select(e => YarpWaitingRoom.Queue.TicketIds.Queued((string)e.Element!, (long)e.Score))];

    /// <summary>Open sessions on one hub, from its own metrics.</summary>
    public async Task<int> HubConnectionsAsync(string portVariable, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port(portVariable)}") };
        var metrics = await http.GetStringAsync("/metrics", cancellationToken);
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith($"sockethub_connections{{room=\"{Room}\"}}", StringComparison.Ordinal));
        return line is null ? 0 : (int)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    public static async Task<TimeSpan?> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (await condition())
            {
                return Stopwatch.GetElapsedTime(started);
            }

            await Task.Delay(50, cancellationToken);
        }

        return null;
    }

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}

/// <summary>The fault suite's tests share <see cref="FaultTopology"/>'s stack.</summary>
[CollectionDefinition(Name)]
public sealed class FaultGroup : ICollectionFixture<FaultTopology>
{
    public const string Name = "fault stack";
}

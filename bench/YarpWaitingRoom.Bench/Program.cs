using System.Globalization;
using System.Runtime.InteropServices;
using YarpWaitingRoom.Bench;
using YarpWaitingRoom.Bench.Scale;
using YarpWaitingRoom.Bench.Scenarios;

// ./stack bench [scenario] [--concurrency N] [--seconds S] [--rounds R] [--sessions N] [--hubs N] [--ticks N] [--participants N]
// Scenarios (all by default): holds, gate, joins, admit, draw, limits, hubpush, hubfanout, hubmemory; they run against the local stack
// started by ./stack up (the hub scenarios start their own hubs on its Redis). --participants sets the draw's pre-queue (1,000,000); --sessions sets the hub scenarios'
// WebSocket count (default 10,000 for hubpush, hubmemory and draw, 5,000 for hubfanout). `scale` (not in all: minutes, a
// million waiting, 50,000 sockets) is the scale rehearsal; --hubs, --ticks and --waiting are its hub count, admission ticks and queue length.
// `challenge` (in all) needs no stack: the proof-of-work verification and solve times, in process.
var scenario = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "all";
var concurrency = Option("--concurrency", 64);
var seconds = Option("--seconds", 10);
var rounds = Option("--rounds", 3);
var sessions = Option("--sessions", 0);

// Ctrl-C and SIGTERM cancel the run, so scenarios still stop what they started (the gate scenario's proxy).
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

string[] known =
[
    HoldsScenario.Name, GateScenario.Name, JoinsScenario.Name, AdmitScenario.Name, DrawScenario.Name, LimitsScenario.Name,
    HubPushScenario.Name, HubFanoutScenario.Name, HubMemoryScenario.Name, ChallengeScenario.Name, ConsoleScenario.Name,
];
if (scenario == ScaleClientHost.Name)
{
    // A client process of the scale rehearsal (started by it; speaks on standard input and output).
    return await ScaleClientHost.RunAsync(Console.In, Console.Out, cancellation.Token);
}

if (scenario == ScaleScenario.Name)
{
    try
    {
        return await ScaleScenario.RunAsync(
            Sessions(ScaleScenario.DefaultSockets), Option("--hubs", ScaleScenario.DefaultHubs), Option("--ticks", ScaleScenario.DefaultTicks),
            Option("--waiting", ScaleScenario.DefaultWaiting), cancellation.Token);
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("cancelled");
        return 130;
    }
}

if (scenario == SpikeScenario.Name)
{
    // A rehearsal, not a benchmark: ./stack load spike [--peak N] [--base N] [--ramp S] [--hold S] [--calm S]
    // [--room R] [--path P] [--spike-threshold N] [--base-url URL].
    var settings = new SpikeSettings(
        BaseUrl(),
        Text("--room") ?? "concert",
        Text("--path") ?? "/api/concerts",
        Option("--base", 200),
        Option("--peak", 1800),
        TimeSpan.FromSeconds(Option("--ramp", 30)),
        TimeSpan.FromSeconds(Option("--hold", 30)),
        TimeSpan.FromSeconds(Option("--calm", 240)),
        Option("--spike-threshold", 1500),
        Option("--in-flight", 1024),
        StackEndpoints.AdminKey());
    try
    {
        return await SpikeScenario.RunAsync(settings, cancellation.Token);
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("cancelled");
        return 130;
    }
}

if (scenario == JourneyScenario.Name && args.Contains(SelloutSettings.Flag))
{
    // Issue 15's rehearsal: ./stack load journey --sellout [--waiting N] [--seats-per-visitor 1-4] [--hold-back N]
    // [--concurrency N] [--admit-per-seat X] [--max-active N] [--max-wait S] [--settle S] [--room R].
    var sellout = SelloutSettings.Parse(args, Environment.GetEnvironmentVariable, BaseUrl(), StackEndpoints.InternalLoadBalancer, StackEndpoints.AdminKey(), out var error);
    if (sellout is null)
    {
        Console.Error.WriteLine(error);
        return 2;
    }

    try
    {
        return await SelloutScenario.RunAsync(sellout, cancellation.Token);
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("cancelled");
        return 130;
    }
}

if (scenario == JourneyScenario.Name)
{
    // A rehearsal: ./stack load journey [--visitors N] [--concurrency N] [--mode On|Paused|...] [--max-wait S] [--room R].
    var settings = new JourneySettings(
        BaseUrl(),
        Text("--room") ?? "concert",
        Option("--visitors", 200),
        Option("--concurrency", 50),
        Text("--mode"),
        Duration("--max-wait", TimeSpan.FromSeconds(120)),
        StackEndpoints.AdminKey());
    try
    {
        return await JourneyScenario.RunAsync(settings, cancellation.Token);
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("cancelled");
        return 130;
    }
}

if (scenario == SoakScenario.Name)
{
    // A rehearsal: ./stack load soak [--duration 30m] [--concurrency N] [--rate N] [--sample 30s] [--mode On]
    // [--max-wait S] [--reset-below N] [--threshold PCT] [--no-full-gc] [--room R] [--base-url URL].
    var settings = new SoakSettings(
        BaseUrl(),
        Text("--room") ?? "concert",
        Duration("--duration", TimeSpan.FromMinutes(30)),
        Option("--concurrency", 20),
        Option("--rate", 0),
        Duration("--sample", TimeSpan.FromSeconds(30)),
        Text("--mode") is { } mode ? (mode.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : mode) : "On",
        Duration("--max-wait", TimeSpan.FromSeconds(120)),
        Option("--reset-below", 200),
        Option("--threshold", 5) / 100.0,
        !args.Contains("--no-full-gc"),
        StackEndpoints.AdminKey());
    if (settings.Duration <= TimeSpan.Zero || settings.SampleInterval <= TimeSpan.Zero || settings.Concurrency <= 0)
    {
        Console.Error.WriteLine("soak: --duration, --sample and --concurrency must be positive (durations: 90, 90s, 5m, 1h30m)");
        return 2;
    }

    try
    {
        return await SoakScenario.RunAsync(settings, cancellation.Token);
    }
    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("cancelled");
        return 130;
    }
}

if (scenario != "all" && !known.Contains(scenario))
{
    Console.Error.WriteLine($"unknown scenario '{scenario}'; known: all, {string.Join(", ", known)}");
    return 2;
}

var exitCode = 0;
try
{
    if (Runs(HoldsScenario.Name))
    {
        exitCode |= await HoldsScenario.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), rounds, cancellation.Token);
    }

    if (Runs(GateScenario.Name))
    {
        exitCode |= await GateScenario.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), rounds, cancellation.Token);
    }

    if (Runs(JoinsScenario.Name))
    {
        exitCode |= await JoinsScenario.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), rounds, cancellation.Token);
    }

    if (Runs(AdmitScenario.Name))
    {
        exitCode |= await AdmitScenario.RunAsync(cancellation.Token);
    }

    if (Runs(DrawScenario.Name))
    {
        exitCode |= await DrawScenario.RunAsync(Option("--participants", DrawScenario.DefaultParticipants), Sessions(DrawScenario.DefaultSessions), cancellation.Token);
    }

    if (Runs(LimitsScenario.Name))
    {
        exitCode |= await LimitsScenario.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), cancellation.Token);
    }

    if (Runs(HubPushScenario.Name))
    {
        exitCode |= await HubPushScenario.RunAsync(Sessions(HubPushScenario.DefaultSessions), Option("--ticks", HubPushScenario.DefaultTicks), cancellation.Token);
    }

    if (Runs(HubFanoutScenario.Name))
    {
        exitCode |= await HubFanoutScenario.RunAsync(Sessions(HubFanoutScenario.DefaultSessions), cancellation.Token);
    }

    if (Runs(HubMemoryScenario.Name))
    {
        exitCode |= await HubMemoryScenario.RunAsync(Sessions(HubMemoryScenario.DefaultSessions), cancellation.Token);
    }

    if (Runs(ChallengeScenario.Name))
    {
        exitCode |= ChallengeScenario.Run(cancellation.Token);
    }

    if (Runs(ConsoleScenario.Name))
    {
        exitCode |= await ConsoleScenario.RunAsync(TimeSpan.FromSeconds(seconds), cancellation.Token);
    }
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

return exitCode;

bool Runs(string name) => scenario == "all" || scenario == name;

int Sessions(int fallback) => sessions > 0 ? sessions : fallback;

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value
        : fallback;
}

TimeSpan Duration(string name, TimeSpan fallback) =>
    DurationText.TryParse(Text(name), out var value) ? value : fallback;

Uri BaseUrl() => Text("--base-url") is { } url ? new Uri(url.EndsWith('/') ? url : url + "/") : StackEndpoints.Edge;

string? Text(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

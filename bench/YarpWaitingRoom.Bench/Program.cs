using System.Globalization;
using YarpWaitingRoom.Bench.Scenarios;

// ./stack bench [scenario] [--concurrency N] [--seconds S] [--rounds R]
// Scenarios run against the local stack started by ./stack up.
var scenario = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "all";
var concurrency = Option("--concurrency", 64);
var seconds = Option("--seconds", 10);
var rounds = Option("--rounds", 3);

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

var exitCode = 0;
if (scenario is "all" or HoldsScenario.Name)
{
    exitCode |= await HoldsScenario.RunAsync(concurrency, TimeSpan.FromSeconds(seconds), rounds, cancellation.Token);
}
else
{
    Console.Error.WriteLine($"unknown scenario '{scenario}'; known: all, {HoldsScenario.Name}");
    exitCode = 2;
}

return exitCode;

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value
        : fallback;
}

namespace YarpWaitingRoom.Bench;

/// <summary>One <c>INFO commandstats</c> snapshot.</summary>
internal sealed class CommandStats(IReadOnlyDictionary<string, (long Calls, long Micros)> commands)
{
    /// <summary>Every command seen so far (lower case) with its calls and microseconds.</summary>
    public IReadOnlyDictionary<string, (long Calls, long Micros)> Commands => commands;

    /// <summary>Calls of every command together.</summary>
    public long TotalCalls => commands.Values.Sum(c => c.Calls);

    /// <summary>Calls of <paramref name="command"/> (lower case).</summary>
    public long Calls(string command) => commands.TryGetValue(command, out var stat) ? stat.Calls : 0;

    /// <summary>Total time Redis spent in <paramref name="command"/> (lower case, e.g. <c>evalsha</c>), in microseconds.</summary>
    public long Micros(string command) => commands.TryGetValue(command, out var stat) ? stat.Micros : 0;
}

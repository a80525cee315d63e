using System.Globalization;

namespace YarpWaitingRoom.Bench;

/// <summary>What one command cost Redis between two <see cref="CommandStats"/> snapshots.</summary>
internal readonly record struct CommandDelta(string Command, long Calls, long Micros)
{
    /// <summary>Every command that ran between <paramref name="before"/> and <paramref name="after"/>, most calls first.</summary>
    public static CommandDelta[] Between(CommandStats before, CommandStats after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return [.. after.Commands
            .Select(c => new CommandDelta(c.Key, c.Value.Calls - before.Calls(c.Key), c.Value.Micros - before.Micros(c.Key)))
            .Where(c => c.Calls > 0)
            .OrderByDescending(c => c.Calls)
            .ThenBy(c => c.Command, StringComparer.Ordinal)];
    }

    /// <summary>The <paramref name="count"/> commands with the most Redis time, most first.</summary>
    public static CommandDelta[] TopByMicros(IEnumerable<CommandDelta> deltas, int count) =>
        [.. deltas.OrderByDescending(c => c.Micros).ThenBy(c => c.Command, StringComparer.Ordinal).Take(count)];

    /// <summary><c>evalsha 5 (41.2 ms)</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Command} {Calls:N0} ({Micros / 1000.0:F1} ms)");
}

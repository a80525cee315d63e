using System.Collections.Concurrent;
using System.Globalization;

namespace YarpWaitingRoom.SystemTests.Faults;

/// <summary>
/// What each fault cost, as measured: written to <c>tests/artifacts/faults/report.md</c> (and printed by
/// <c>./stack chaos</c>). The tests assert outcomes; the timings are reported, not asserted.
/// </summary>
internal static class FaultReport
{
    private static readonly ConcurrentDictionary<string, string> Lines = new(StringComparer.Ordinal);

    public static void Record(string repositoryRoot, string fault, string figures)
    {
        Lines[fault] = figures;
        var directory = Path.Combine(repositoryRoot, "tests", "artifacts", "faults");
        Directory.CreateDirectory(directory);
        var text = "| fault | measured |\n|---|---|\n" + string.Concat(Lines.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"| {l.Key} | {l.Value} |\n"));
        File.WriteAllText(Path.Combine(directory, "report.md"), text);
        TestContext.Current.SendDiagnosticMessage($"{fault}: {figures}");
    }

    public static string Seconds(TimeSpan? value) =>
        value is { } v ? v.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s" : "never";
}

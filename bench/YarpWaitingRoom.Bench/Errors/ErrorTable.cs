using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Errors;

/// <summary>
/// The errors of a rehearsal by kind (step, status, problem type, reason; or step and exception type), each with a count
/// and its first example. Thread-safe; at most <see cref="MaxKinds"/> kinds are kept apart (anything beyond is counted
/// under <see cref="OtherKind"/>), so a long run that meets ever-new answers cannot grow the tool's own memory.
/// </summary>
internal sealed class ErrorTable
{
    public const int MaxKinds = 200;

    public const string OtherKind = "(other kinds)";

    private readonly ConcurrentDictionary<string, Cell> _kinds = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Add(string kind, string example)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(example);
        Interlocked.Increment(ref _total);
        if (!_kinds.TryGetValue(kind, out var cell))
        {
            if (_kinds.Count >= MaxKinds)
            {
                kind = OtherKind;
            }

            cell = _kinds.GetOrAdd(kind, static (_, first) => new Cell(first), Answer.ExcerptOf(example));
        }

        Interlocked.Increment(ref cell.Count);
    }

    public void Add(UnexpectedAnswerException answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        Add(answer.Kind, answer.Excerpt);
    }

    /// <summary>An exception at <paramref name="step"/>: counted by step and exception type (timeouts by name), the message as the example.</summary>
    public void Add(string step, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is UnexpectedAnswerException answer)
        {
            Add(answer);
            return;
        }

        var kind = exception is TaskCanceledException { InnerException: TimeoutException } ? "timeout" : exception.GetType().Name;
        Add(step + " " + kind, exception.Message);
    }

    /// <summary>The most frequent kinds first (ties by name), at most <paramref name="count"/>.</summary>
    public IReadOnlyList<ErrorEntry> Top(int count) =>
        [.. _kinds
            .Select(k => new ErrorEntry(k.Key, Interlocked.Read(ref k.Value.Count), k.Value.Example))
            .OrderByDescending(e => e.Count)
            .ThenBy(e => e.Kind, StringComparer.Ordinal)
            .Take(count)];

    /// <summary>The summary's error lines: total, then the top kinds with count and example.</summary>
    public void Print(TextWriter writer, string title, int top = 10)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Total == 0)
        {
            writer.WriteLine($"{title}: none");
            return;
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{title}: {Total} ({_kinds.Count} kinds; top {Math.Min(top, _kinds.Count)}):"));
        foreach (var entry in Top(top))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {entry.Count,7}  {entry.Kind}"));
            writer.WriteLine($"           e.g. {entry.Example}");
        }
    }

    public JsonArray ToJson(int top = 20) =>
        [.. Top(top).Select(e => (JsonNode)new JsonObject { ["kind"] = e.Kind, ["count"] = e.Count, ["example"] = e.Example })];

    private sealed class Cell(string example)
    {
        public readonly string Example = example;
        public long Count;
    }
}

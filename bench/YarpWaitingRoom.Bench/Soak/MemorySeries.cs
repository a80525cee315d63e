using System.Globalization;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.Bench.Soak;

/// <summary>One measured quantity over a soak (<c>proxy-a rss</c>, <c>redis used_memory</c>): its samples and their verdict.</summary>
internal sealed class MemorySeries(string name, SeriesUnit unit)
{
    private const double Megabyte = 1024 * 1024;

    private readonly List<(double At, double Value)> _samples = [];

    public string Name { get; } = name;

    public SeriesUnit Unit { get; } = unit;

    public IReadOnlyList<(double At, double Value)> Samples => _samples;

    public double First => _samples[0].Value;

    public double Last => _samples[^1].Value;

    public double Min => _samples.Min(s => s.Value);

    public double Max => _samples.Max(s => s.Value);

    /// <summary>The smallest rise that counts as growth, whatever the threshold: 1 MiB of bytes, or one of a count.</summary>
    public double Floor => Unit == SeriesUnit.Bytes ? Megabyte : 1;

    public void Add(double at, double value) => _samples.Add((at, value));

    public LevelJudgement Judge(double threshold) => LevelRule.Judge([.. _samples.Select(s => s.Value)], threshold, Floor);

    /// <summary>A value as the table prints it: MB with one decimal, or the count.</summary>
    public string Format(double value) =>
        double.IsNaN(value) ? "-"
        : Unit == SeriesUnit.Bytes ? (value / Megabyte).ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("0", CultureInfo.InvariantCulture);

    public JsonObject ToJson(double threshold)
    {
        var judgement = Judge(threshold);
        return new JsonObject
        {
            ["unit"] = Unit == SeriesUnit.Bytes ? "bytes" : "count",
            ["first"] = First,
            ["min"] = Min,
            ["max"] = Max,
            ["last"] = Last,
            ["middleThirdMean"] = Finite(judgement.MiddleMean),
            ["lastThirdMean"] = Finite(judgement.LastMean),
            ["lastHalfRise"] = Finite(judgement.LastHalfRise),
            ["verdict"] = judgement.Label,
            ["samples"] = new JsonArray([.. _samples.Select(s => (JsonNode)new JsonArray(Math.Round(s.At, 1), s.Value))]),
        };
    }

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 1) : null;
}

using System.Globalization;

namespace YarpWaitingRoom.Bench;

/// <summary>One scrape of a Prometheus text endpoint (<c>/metrics</c>): samples by name and labels.</summary>
internal sealed class PrometheusText
{
    private readonly List<Sample> _samples;

    private PrometheusText(List<Sample> samples) => _samples = samples;

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return Parse(await client.GetStringAsync(new Uri("/metrics", UriKind.Relative), cancellationToken));
    }

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<Sample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            // name{label="value",...} value   or   name value
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space < 0)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            if (brace >= 0 && brace < space)
            {
                name = line[..brace];
                var close = line.LastIndexOf('}');
                ParseLabels(line[(brace + 1)..close], labels);
            }
            else
            {
                name = line[..space].Trim();
            }

            samples.Add(new Sample(name, labels, ParseValue(line[(space + 1)..])));
        }

        return new PrometheusText(samples);
    }

    /// <summary>The first sample named <paramref name="name"/> whose labels include <paramref name="labels"/>; null if none.</summary>
    public double? Value(string name, params (string Name, string Value)[] labels)
    {
        foreach (var sample in _samples)
        {
            if (sample.Name == name && Matches(sample, labels))
            {
                return sample.Value;
            }
        }

        return null;
    }

    /// <summary>The sum of every sample named <paramref name="name"/> (all label sets); null if there is none.</summary>
    public double? Sum(string name)
    {
        var matching = _samples.Where(s => s.Name == name).ToArray();
        return matching.Length == 0 ? null : matching.Sum(s => s.Value);
    }

    /// <summary>A histogram's cumulative buckets (upper bound, count) for the given labels, ascending.</summary>
    public (double UpperBound, double Count)[] Buckets(string histogram, params (string Name, string Value)[] labels) =>
        _samples
            .Where(s => s.Name == histogram + "_bucket" && Matches(s, labels) && s.Labels.ContainsKey("le"))
            .Select(s => (ParseValue(s.Labels["le"]), s.Value))
            .OrderBy(b => b.Item1)
            .ToArray();

    private static bool Matches(Sample sample, (string Name, string Value)[] labels) =>
        labels.All(l => sample.Labels.TryGetValue(l.Name, out var value) && value == l.Value);

    private static void ParseLabels(string text, Dictionary<string, string> labels)
    {
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            if (equals < 0 || equals + 1 >= text.Length || text[equals + 1] != '"')
            {
                return;
            }

            var name = text[i..equals].Trim(' ', ',');
            var value = new System.Text.StringBuilder();
            var j = equals + 2;
            for (; j < text.Length && text[j] != '"'; j++)
            {
                if (text[j] == '\\' && j + 1 < text.Length)
                {
                    j++;
                }

                value.Append(text[j]);
            }

            labels[name] = value.ToString();
            i = j + 1;
        }
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Nginx;

/// <summary>An nginx template of <c>nginx/</c>: the <c>${NAME}</c> placeholders that ./stack and compose's envsubst fill.</summary>
internal sealed partial class NginxTemplate
{
    private NginxTemplate(string path, IReadOnlyList<string> lines)
    {
        Path = path;
        var directives = lines.Where(line => !line.TrimStart().StartsWith('#')).ToList();
        Placeholders = directives.SelectMany(line => Placeholder().Matches(line)).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        ListenPlaceholders = directives.Select(line => Listen().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        (Upstreams, Locations, ServerDirectives) = Blocks(directives);
    }

    /// <summary>Repository-relative path.</summary>
    public string Path { get; }

    /// <summary>Every placeholder outside comments.</summary>
    public IReadOnlySet<string> Placeholders { get; }

    /// <summary>The placeholders that give the port of a <c>listen</c> directive.</summary>
    public IReadOnlySet<string> ListenPlaceholders { get; }

    /// <summary>The <c>upstream</c> blocks by name.</summary>
    public IReadOnlyDictionary<string, NginxUpstream> Upstreams { get; }

    /// <summary>The <c>location</c> blocks, in order.</summary>
    public IReadOnlyList<NginxLocation> Locations { get; }

    /// <summary>The directives of the <c>server</c> blocks outside their locations: name → arguments, space-separated.</summary>
    public IReadOnlyDictionary<string, string> ServerDirectives { get; }

    public static NginxTemplate Load(string relativePath) =>
        new(Repository.Relative(Repository.PathOf(relativePath)), File.ReadAllLines(Repository.PathOf(relativePath)));

    // One directive or block opening per line, as the templates are written.
    private static (Dictionary<string, NginxUpstream>, List<NginxLocation>, Dictionary<string, string>) Blocks(List<string> directives)
    {
        var upstreams = new Dictionary<string, NginxUpstream>(StringComparer.Ordinal);
        var locations = new List<NginxLocation>();
        var server = new Dictionary<string, string>(StringComparer.Ordinal);
        var locationDirectives = new Dictionary<string, string>(StringComparer.Ordinal);
        var blocks = new Stack<string>();
        List<int>? maxFails = null;
        string? upstreamName = null;
        string? locationMatch = null;
        string? proxyPass = null;
        string[] nextUpstream = [];
        foreach (var raw in directives)
        {
            var line = raw.Split('#', 2)[0].Trim();
            if (line.EndsWith('{'))
            {
                var header = line.TrimEnd('{').Trim();
                blocks.Push(header);
                if (header.StartsWith("upstream ", StringComparison.Ordinal))
                {
                    upstreamName = header["upstream ".Length..].Trim();
                    maxFails = [];
                }
                else if (header.StartsWith("location ", StringComparison.Ordinal))
                {
                    locationMatch = header["location ".Length..].Trim();
                    proxyPass = null;
                    nextUpstream = [];
                    locationDirectives = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                continue;
            }

            if (line == "}")
            {
                var closed = blocks.Pop();
                if (closed.StartsWith("upstream ", StringComparison.Ordinal))
                {
                    upstreams[upstreamName!] = new NginxUpstream(upstreamName!, maxFails!);
                }
                else if (closed.StartsWith("location ", StringComparison.Ordinal))
                {
                    locations.Add(new NginxLocation(locationMatch!, proxyPass, nextUpstream, locationDirectives));
                }

                continue;
            }

            var words = line.TrimEnd(';').Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || blocks.Count == 0)
            {
                continue;
            }

            if (blocks.Peek().StartsWith("location ", StringComparison.Ordinal))
            {
                // Headers one by one: proxy_set_header X-Forwarded-For → $remote_addr.
                var name = words[0] == "proxy_set_header" && words.Length > 1 ? $"{words[0]} {words[1]}" : words[0];
                locationDirectives[name] = string.Join(' ', words[(name == words[0] ? 1 : 2)..]);
            }
            else if (blocks.Peek() == "server")
            {
                server[words[0]] = string.Join(' ', words[1..]);
            }

            if (blocks.Peek().StartsWith("upstream ", StringComparison.Ordinal) && words[0] == "server")
            {
                // nginx's default is max_fails=1.
                var setting = words.FirstOrDefault(w => w.StartsWith("max_fails=", StringComparison.Ordinal));
                maxFails!.Add(setting is null ? 1 : int.Parse(setting["max_fails=".Length..], CultureInfo.InvariantCulture));
            }
            else if (blocks.Peek().StartsWith("location ", StringComparison.Ordinal) && words[0] == "proxy_pass")
            {
                proxyPass = words[1];
            }
            else if (blocks.Peek().StartsWith("location ", StringComparison.Ordinal) && words[0] == "proxy_next_upstream")
            {
                nextUpstream = words[1..];
            }
        }

        return (upstreams, locations, server);
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\s*listen\s+(?:\S*:)?\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Listen();
}

/// <summary>An <c>upstream</c> block: the <c>max_fails</c> of each server (nginx's default 1 where none is set).</summary>
internal sealed record NginxUpstream(string Name, IReadOnlyList<int> MaxFails)
{
    /// <summary>Whether nginx keeps failure counts for any server (and takes it out after <c>max_fails</c>).</summary>
    public bool CountsFailures => MaxFails.Any(n => n > 0);
}

/// <summary>
/// A <c>location</c> block: where it passes requests, what <c>proxy_next_upstream</c> lists (empty: nginx's default), and
/// every directive in it (name → arguments, space-separated; <c>proxy_set_header</c> by header, as
/// <c>proxy_set_header X-Forwarded-For</c>; another repeated one keeps its last).
/// </summary>
internal sealed record NginxLocation(string Match, string? ProxyPass, IReadOnlyList<string> NextUpstream, IReadOnlyDictionary<string, string> Directives)
{
    /// <summary>The upstream of <c>proxy_pass http://name</c>, or null.</summary>
    public string? Upstream => ProxyPass is { } pass && pass.StartsWith("http://", StringComparison.Ordinal) ? pass["http://".Length..].TrimEnd('/') : null;
}

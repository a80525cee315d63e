using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Docker;

namespace YarpWaitingRoom.OpsTests.Configuration;

/// <summary>
/// What one .NET service reads from configuration, found in its code rather than listed by hand: the options classes
/// it binds (<c>BindConfiguration(X.SectionName)</c> in its sources; <c>X</c> and its section by reflection over its
/// assembly and the YarpWaitingRoom assemblies it references), the keys it reads directly (<c>configuration["A:B"]</c>),
/// its connection strings (<c>GetConnectionString("X")</c>, in its folder and the projects it references), YARP's
/// section when it loads one, and the top-level keys of its appsettings.json.
/// </summary>
internal sealed partial class ServiceConfiguration
{
    private static readonly ConcurrentDictionary<string, ServiceConfiguration> Cache = new(StringComparer.Ordinal);

    private ServiceConfiguration(DotnetProject project)
    {
        Project = project;
        var referenced = project.ReferencedProjects();
        var ownSources = string.Join('\n', Repository.SourceFiles(project.Folder).Select(File.ReadAllText));
        var allSources = string.Join('\n', referenced.Select(p => p.Folder).Prepend(project.Folder).SelectMany(Repository.SourceFiles).Select(File.ReadAllText));

        var boundTypeNames = BindConfiguration().Matches(ownSources).Select(m => m.Groups["type"].Value).ToHashSet(StringComparer.Ordinal);
        OptionSections = referenced.Select(p => p.AssemblyName).Prepend(project.AssemblyName)
            .Select(name => Assembly.Load(new AssemblyName(name)))
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => boundTypeNames.Contains(type.Name))
            .Select(type => (type, section: type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(pair => pair.section is not null)
            .Select(pair => (pair.section!, pair.type))
            // The waiting room's libraries bind their sections and subsections themselves.
            .Concat(LibraryCall().Matches(ownSources)
                .SelectMany(call => LibraryBindings[call.Groups["call"].Value])
                .Select(pair => (pair.Key, pair.Value)))
            .GroupBy(pair => pair.Item1, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => (IReadOnlyList<Type>)group.Select(pair => pair.Item2).ToList(), StringComparer.OrdinalIgnoreCase);

        DirectKeys = DirectRead().Matches(ownSources).Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        ConnectionStrings = ConnectionString().Matches(allSources).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);

        using var appsettings = JsonDocument.Parse(Repository.ReadAllText(Path.Combine(project.Folder, "appsettings.json")));
        var root = appsettings.RootElement;
        TopLevelKeys = root.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Object && p.Value.ValueKind != JsonValueKind.Array)
            .Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (ReverseProxySection().IsMatch(ownSources))
        {
            var yarp = root.TryGetProperty(nameof(ReverseProxy), out var section) ? section : default;
            ReverseProxy = new ReverseProxyIds(
                Ids(yarp, "Routes").ToHashSet(StringComparer.OrdinalIgnoreCase),
                Ids(yarp, "Clusters").ToDictionary(
                    id => id,
                    id => (IReadOnlySet<string>)Ids(yarp.GetProperty("Clusters").GetProperty(id), "Destinations").ToHashSet(StringComparer.OrdinalIgnoreCase),
                    StringComparer.OrdinalIgnoreCase));
        }
    }

    public DotnetProject Project { get; }

    /// <summary>Section path (<c>WaitingRoom:Gate</c>) → the options classes bound to it (a host and a library may bind one section each).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Type>> OptionSections { get; }

    /// <summary>Keys read with <c>configuration["..."]</c> (string values).</summary>
    public IReadOnlySet<string> DirectKeys { get; }

    public IReadOnlySet<string> ConnectionStrings { get; }

    /// <summary>Top-level scalar keys of appsettings.json (<c>AllowedHosts</c>).</summary>
    public IReadOnlySet<string> TopLevelKeys { get; }

    /// <summary>The ids of YARP's routes and clusters (with their destinations) in appsettings.json; null when the service has no YARP.</summary>
    public ReverseProxyIds? ReverseProxy { get; }

    /// <summary>The configuration of the service built from a project folder (e.g. <c>proxy</c>).</summary>
    public static ServiceConfiguration Of(string projectFolder) =>
        Cache.GetOrAdd(projectFolder, folder => new ServiceConfiguration(DotnetProject.InFolder(folder)));

    private static List<string> Ids(JsonElement parent, string property) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(property, out var map) && map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject().Select(p => p.Name).ToList()
            : [];

    /// <summary>What each of the libraries' registration calls binds, when a host passes it the <c>WaitingRoom</c> section.</summary>
    private static readonly Dictionary<string, IReadOnlyDictionary<string, Type>> LibraryBindings = new(StringComparer.Ordinal)
    {
        ["AddWaitingRoom"] = YarpWaitingRoom.Yarp.Extensions.WaitingRoomRegistration.BoundSections,
        ["AddWaitingRoomHub"] = YarpWaitingRoom.Hub.Extensions.HubRegistration.BoundSections,
    };

    [GeneratedRegex(@"\.(?<call>AddWaitingRoom|AddWaitingRoomHub)\(\s*builder\.Configuration\.GetSection\(\s*WaitingRoomOptions\.SectionName\s*\)")]
    private static partial Regex LibraryCall();

    [GeneratedRegex(@"\.BindConfiguration\(\s*(?<type>\w+)\.SectionName\s*\)")]
    private static partial Regex BindConfiguration();

    [GeneratedRegex(@"[Cc]onfiguration\s*\[\s*""(?<key>[^""]+)""\s*\]")]
    private static partial Regex DirectRead();

    [GeneratedRegex(@"GetConnectionString\(\s*""(?<name>[^""]+)""\s*\)")]
    private static partial Regex ConnectionString();

    [GeneratedRegex(@"GetSection\(\s*""ReverseProxy""\s*\)")]
    private static partial Regex ReverseProxySection();
}

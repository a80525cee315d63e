using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace YarpWaitingRoom.OpsTests.Compose;

/// <summary>
/// compose.yaml as compose reads it: merge keys (<c>&lt;&lt;: *anchor</c>) resolved by YamlDotNet's
/// <see cref="MergingParser"/>, both the short and the long syntax of each attribute the tests look at.
/// </summary>
internal sealed class ComposeFile
{
    private static readonly Lazy<ComposeFile> LazyRepositoryFile = new(() => Parse(Repository.ReadAllText("compose.yaml")));

    private ComposeFile(IReadOnlyDictionary<string, ComposeService> services, IReadOnlyDictionary<string, ComposeNetwork> networks, IReadOnlySet<string> volumes)
    {
        Services = services;
        Networks = networks;
        Volumes = volumes;
    }

    /// <summary>The repository's compose.yaml.</summary>
    public static ComposeFile RepositoryFile => LazyRepositoryFile.Value;

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    public IReadOnlyDictionary<string, ComposeNetwork> Networks { get; }

    /// <summary>The named volumes declared at the top level.</summary>
    public IReadOnlySet<string> Volumes { get; }

    public static ComposeFile Parse(string yaml)
    {
        using var reader = new StringReader(yaml);
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object?>>(new MergingParser(new Parser(reader)))
            ?? throw new InvalidDataException("compose.yaml is empty.");

        var services = Mapping(root.GetValueOrDefault("services"), "services")
            .ToDictionary(entry => Text(entry.Key), entry => ParseService(Text(entry.Key), Mapping(entry.Value, Text(entry.Key))), StringComparer.Ordinal);
        var networks = Mapping(root.GetValueOrDefault("networks"), "networks")
            .ToDictionary(entry => Text(entry.Key), entry => ParseNetwork(Text(entry.Key), Mapping(entry.Value, Text(entry.Key))), StringComparer.Ordinal);
        var volumes = Mapping(root.GetValueOrDefault("volumes"), "volumes").Keys.Select(Text).ToHashSet(StringComparer.Ordinal);
        return new ComposeFile(services, networks, volumes);
    }

    private static ComposeService ParseService(string name, Dictionary<object, object?> service)
    {
        var healthcheck = Mapping(service.GetValueOrDefault("healthcheck"), name + ".healthcheck");
        var test = healthcheck.GetValueOrDefault("test") switch
        {
            null => null,
            string shell => ["CMD-SHELL", shell],
            var list => Sequence(list, name + ".healthcheck.test").Select(Text).ToList(),
        };

        var (context, dockerfile, args) = ParseBuild(service.GetValueOrDefault("build"), name);
        return new ComposeService(name)
        {
            Image = service.GetValueOrDefault("image") as string,
            BuildContext = context,
            Dockerfile = dockerfile,
            BuildArgs = args,
            Environment = ParseEnvironment(service.GetValueOrDefault("environment"), name),
            HealthcheckTest = test,
            HealthcheckDisabled = healthcheck.GetValueOrDefault("disable") is string disable && bool.Parse(disable)
                || test is ["NONE", ..],
            DependsOn = ParseDependsOn(service.GetValueOrDefault("depends_on"), name),
            Ports = Sequence(service.GetValueOrDefault("ports"), name + ".ports").Select(ParsePort).ToList(),
            Volumes = Sequence(service.GetValueOrDefault("volumes"), name + ".volumes").Select(ParseVolume).ToList(),
            Command = service.GetValueOrDefault("command") switch
            {
                null => [],
                string line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                var list => Sequence(list, name + ".command").Select(Text).ToList(),
            },
            Networks = service.GetValueOrDefault("networks") switch
            {
                null => new Dictionary<string, string?>(),
                List<object?> list => list.ToDictionary(Text, _ => (string?)null, StringComparer.Ordinal),
                var map => Mapping(map, name + ".networks").ToDictionary(
                    entry => Text(entry.Key),
                    entry => Mapping(entry.Value, name + ".networks").GetValueOrDefault("ipv4_address") as string,
                    StringComparer.Ordinal),
            },
        };
    }

    private static (string? Context, string? Dockerfile, Dictionary<string, string?> Args) ParseBuild(object? build, string service)
    {
        if (build is null)
        {
            return (null, null, new Dictionary<string, string?>(StringComparer.Ordinal));
        }

        var map = build is string shortForm ? new Dictionary<object, object?> { ["context"] = shortForm } : Mapping(build, "build");
        var context = map.GetValueOrDefault("context") as string ?? ".";
        var dockerfile = map.GetValueOrDefault("dockerfile") as string ?? "Dockerfile";
        return (Repository.Relative(context), Repository.Relative(Path.Combine(context, dockerfile)), Variables(map.GetValueOrDefault("args"), service + ".build.args"));
    }

    private static Dictionary<string, string?> ParseEnvironment(object? environment, string service) =>
        Variables(environment, service + ".environment");

    /// <summary>A list (<c>- NAME=value</c>) or a mapping (<c>NAME: value</c>) of variables, as <c>environment</c> and <c>build.args</c> take them.</summary>
    private static Dictionary<string, string?> Variables(object? variables, string where) => variables switch
    {
        null => new Dictionary<string, string?>(StringComparer.Ordinal),
        List<object?> list => list.Select(Text).ToDictionary(
            item => item.Split('=', 2)[0],
            item => item.Contains('=', StringComparison.Ordinal) ? item.Split('=', 2)[1] : null,
            StringComparer.Ordinal),
        _ => Mapping(variables, where).ToDictionary(entry => Text(entry.Key), entry => entry.Value as string, StringComparer.Ordinal),
    };

    private static Dictionary<string, string> ParseDependsOn(object? dependsOn, string service) => dependsOn switch
    {
        null => new Dictionary<string, string>(StringComparer.Ordinal),
        List<object?> list => list.Select(Text).ToDictionary(name => name, _ => "service_started", StringComparer.Ordinal),
        _ => Mapping(dependsOn, service + ".depends_on").ToDictionary(
            entry => Text(entry.Key),
            entry => Mapping(entry.Value, service + ".depends_on").GetValueOrDefault("condition") as string ?? "service_started",
            StringComparer.Ordinal),
    };

    private static PortMapping ParsePort(object? port)
    {
        if (port is string text)
        {
            // [host_ip:][published:]target[/protocol]
            var parts = text.Split('/')[0].Split(':');
            var target = int.Parse(parts[^1], CultureInfo.InvariantCulture);
            int? published = parts.Length >= 2 ? int.Parse(parts[^2], CultureInfo.InvariantCulture) : null;
            var hostIp = parts.Length >= 3 ? string.Join(':', parts[..^2]) : null;
            return new PortMapping(hostIp, published, target);
        }

        var map = Mapping(port, "ports");
        return new PortMapping(
            map.GetValueOrDefault("host_ip") as string,
            map.GetValueOrDefault("published") is string p ? int.Parse(p, CultureInfo.InvariantCulture) : null,
            int.Parse(Text(map["target"]), CultureInfo.InvariantCulture));
    }

    private static VolumeMount ParseVolume(object? volume)
    {
        if (volume is string text)
        {
            var parts = text.Split(':');
            return new VolumeMount(parts[0], parts[1], parts.Length > 2 && parts[2].Split(',').Contains("ro"));
        }

        var map = Mapping(volume, "volumes");
        return new VolumeMount(
            Text(map["source"]),
            Text(map["target"]),
            map.GetValueOrDefault("read_only") is string readOnly && bool.Parse(readOnly));
    }

    private static ComposeNetwork ParseNetwork(string name, Dictionary<object, object?> network)
    {
        var ipam = Mapping(network.GetValueOrDefault("ipam"), name + ".ipam");
        var config = Sequence(ipam.GetValueOrDefault("config"), name + ".ipam.config").Select(item => Mapping(item, name + ".ipam.config")).FirstOrDefault();
        return new ComposeNetwork(name, config?.GetValueOrDefault("subnet") as string, config?.GetValueOrDefault("ip_range") as string);
    }

    private static Dictionary<object, object?> Mapping(object? node, string where) => node switch
    {
        null => [],
        Dictionary<object, object?> map => map,
        _ => throw new InvalidDataException($"compose.yaml: {where} should be a mapping, found {node.GetType().Name}."),
    };

    private static List<object?> Sequence(object? node, string where) => node switch
    {
        null => [],
        List<object?> list => list,
        _ => throw new InvalidDataException($"compose.yaml: {where} should be a sequence, found {node.GetType().Name}."),
    };

    private static string Text(object? node) =>
        node as string ?? throw new InvalidDataException($"compose.yaml: expected a scalar, found {node?.GetType().Name ?? "null"}.");
}

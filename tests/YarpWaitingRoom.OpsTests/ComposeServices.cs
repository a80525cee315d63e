using System.Globalization;
using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Compose;
using YarpWaitingRoom.OpsTests.Nginx;

namespace YarpWaitingRoom.OpsTests;

/// <summary>What the compose tests derive from the services: which are ours, which are nginx, where each listens, whom each addresses.</summary>
internal static partial class ComposeServices
{
    /// <summary>Ports of the stock images (unless their command moves them).</summary>
    private static readonly Dictionary<string, int> ImagePorts = new(StringComparer.Ordinal)
    {
        ["redis"] = 6379,
        ["postgres"] = 5432,
        ["prom/prometheus"] = 9090,
        ["grafana/grafana"] = 3000,
    };

    public static ComposeFile Compose => ComposeFile.RepositoryFile;

    /// <summary>The services built from one of our Dockerfiles: .NET services.</summary>
    public static IEnumerable<ComposeService> Dotnet => Compose.Services.Values.Where(s => s.Dockerfile is not null);

    public static IEnumerable<ComposeService> Nginx => Compose.Services.Values.Where(s => ImageName(s) == "nginx");

    /// <summary>The build argument that names the folder of the project the Dockerfile builds (e.g. <c>proxy</c>).</summary>
    public const string ServiceArgument = "SERVICE";

    /// <summary>The build argument that names the assembly the image runs (e.g. <c>YarpWaitingRoom.Proxy</c>).</summary>
    public const string AssemblyArgument = "ASSEMBLY";

    /// <summary>The project folder a .NET service is built from (its <see cref="ServiceArgument"/> build argument).</summary>
    public static string ProjectFolder(ComposeService service) =>
        service.BuildArgs.TryGetValue(ServiceArgument, out var folder) && !string.IsNullOrEmpty(folder)
            ? folder
            : throw new InvalidDataException($"compose.yaml: {service.Name} does not pass the build argument {ServiceArgument}.");

    /// <summary>The nginx templates a service mounts (bind mounts of <c>*.template</c> files).</summary>
    public static IEnumerable<NginxTemplate> Templates(ComposeService service) =>
        service.Volumes.Where(v => v.IsBind && v.Source.EndsWith(".template", StringComparison.Ordinal)).Select(v => NginxTemplate.Load(v.Source));

    /// <summary>The value a service's environment gives a variable, as compose would with no variables set.</summary>
    public static string? Value(ComposeService service, string variable) =>
        service.Environment.TryGetValue(variable, out var value) && value is not null ? Interpolation.WithoutVariables(value) : null;

    /// <summary>The container port a service listens on; null when the tests cannot tell.</summary>
    public static int? ListenPort(ComposeService service)
    {
        if (service.Dockerfile is not null)
        {
            return Value(service, "ASPNETCORE_HTTP_PORTS") is { } ports ? int.Parse(ports, CultureInfo.InvariantCulture) : null;
        }

        if (ImageName(service) == "nginx")
        {
            var listen = Templates(service).SelectMany(t => t.ListenPlaceholders).Select(p => Value(service, p)).OfType<string>().ToList();
            return listen.Count == 1 ? int.Parse(listen[0], CultureInfo.InvariantCulture) : null;
        }

        var portFlag = service.Command.ToList().IndexOf("--port");
        if (portFlag >= 0 && portFlag + 1 < service.Command.Count)
        {
            return int.Parse(service.Command[portFlag + 1], CultureInfo.InvariantCulture);
        }

        return ImageName(service) is { } image && ImagePorts.TryGetValue(image, out var port) ? port : null;
    }

    /// <summary>
    /// The other services a service's environment addresses (<c>host:port</c>, <c>http://host:port/</c>,
    /// <c>Host=host;Port=port</c>), with the port and the variable that names them.
    /// </summary>
    public static IEnumerable<(string Variable, string Host, int Port)> Addresses(ComposeService service)
    {
        foreach (var (variable, raw) in service.Environment)
        {
            if (raw is null)
            {
                continue;
            }

            foreach (var match in Address().Matches(raw).Cast<Match>())
            {
                var host = match.Groups["host"].Value;
                if (Compose.Services.ContainsKey(host) && host != service.Name)
                {
                    yield return (variable, host, int.Parse(match.Groups["port"].Value, CultureInfo.InvariantCulture));
                }
            }
        }
    }

    /// <summary>The image's repository without tag (<c>nginx</c>, <c>prom/prometheus</c>).</summary>
    public static string? ImageName(ComposeService service) => service.Image?.Split(':')[0];

    [GeneratedRegex(@"(?:^|//|Host=)(?<host>[a-z][a-z0-9-]*)(?::|;Port=)(?<port>\d+)")]
    private static partial Regex Address();
}

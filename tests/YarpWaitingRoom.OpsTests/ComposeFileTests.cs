using System.Net;
using System.Text.RegularExpressions;
using YamlDotNet.Serialization;
using YarpWaitingRoom.OpsTests.Compose;
using YarpWaitingRoom.OpsTests.Configuration;
using YarpWaitingRoom.OpsTests.Docker;

namespace YarpWaitingRoom.OpsTests;

/// <summary>
/// compose.yaml, checked without a Docker engine: the topology of ./stack, images and builds, published ports, health
/// checks and start order, persistence, and every configuration variable against the options the code binds.
/// </summary>
public class ComposeFileTests
{
    private static readonly string[] Conditions = ["service_started", "service_healthy", "service_completed_successfully"];

    private static ComposeFile Compose => ComposeServices.Compose;

    [Fact]
    public void Services_AreTheLocalStacksTopologyPlusGrafana()
    {
        string[] expected =
        [
            "backend-a", "backend-b", "edge", "grafana", "hub-a", "hub-b", "internal-lb",
            "postgres", "prometheus", "proxy-a", "proxy-b", "redis",
        ];

        Assert.Equal(expected, Compose.Services.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryService_HasAnImageOrABuildFromAnExistingDockerfile()
    {
        foreach (var service in Compose.Services.Values)
        {
            Assert.True(service.Image is not null || service.Dockerfile is not null, $"{service.Name} has neither image nor build");
            if (service.Dockerfile is not null)
            {
                Assert.True(File.Exists(Repository.PathOf(service.Dockerfile)), $"{service.Name}: {service.Dockerfile} does not exist");
                // The Dockerfiles copy repository-root paths (Directory.Packages.props, waiting-room/, ...).
                Assert.Equal(".", service.BuildContext);
            }
            else
            {
                Assert.Matches(@"^[a-z0-9./-]+:[A-Za-z0-9._-]+$", service.Image!); // pinned to a tag, not an implicit latest
            }
        }

        Assert.Equal(6, ComposeServices.Dotnet.Count());
    }

    [Fact]
    public void PublishedPorts_AreTheEdgeOn8080PrometheusOn9090AndGrafanaOn3000_AndNothingElse()
    {
        var published = Compose.Services.Values
            .SelectMany(s => s.Ports.Where(p => p.Published is not null).Select(p => (service: s, port: p)))
            .ToDictionary(x => x.service.Name, x => x.port);

        Assert.Equal(["edge", "grafana", "prometheus"], published.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(8080, published["edge"].Published);
        Assert.Equal(9090, published["prometheus"].Published);
        Assert.Equal(3000, published["grafana"].Published);
        foreach (var (name, port) in published)
        {
            Assert.Equal(ComposeServices.ListenPort(Compose.Services[name]), port.Target);
        }

        // Neither Prometheus nor Grafana's anonymous viewer should face the network: loopback only.
        Assert.Equal("127.0.0.1", published["prometheus"].HostIp);
        Assert.Equal("127.0.0.1", published["grafana"].HostIp);
    }

    [Fact]
    public void EveryService_HasAHealthcheck_InlineOrFromItsDockerfile()
    {
        foreach (var service in Compose.Services.Values)
        {
            Assert.False(service.HealthcheckDisabled, $"{service.Name} disables its health check");
            var fromDockerfile = service.Dockerfile is not null
                && Dockerfile.Load(service.Dockerfile).FinalStage.Any(i => i.Keyword == "HEALTHCHECK" && !i.Arguments.StartsWith("NONE", StringComparison.OrdinalIgnoreCase));
            Assert.True(service.HealthcheckTest is { Count: > 1 } || fromDockerfile, $"{service.Name} has no health check");
        }
    }

    [Fact]
    public void DotnetServices_CheckReadinessOnThePortTheyListenOn()
    {
        foreach (var service in ComposeServices.Dotnet)
        {
            var port = ComposeServices.ListenPort(service);
            Assert.NotNull(port);
            Assert.NotNull(service.HealthcheckTest);
            Assert.Contains($"http://127.0.0.1:{port}/readyz", service.HealthcheckTest);
        }
    }

    [Fact]
    public void EveryDependsOn_NamesAnotherServiceWithAValidCondition_WithoutCycles()
    {
        foreach (var service in Compose.Services.Values)
        {
            foreach (var (dependency, condition) in service.DependsOn)
            {
                Assert.True(Compose.Services.ContainsKey(dependency), $"{service.Name} depends on unknown service {dependency}");
                Assert.NotEqual(service.Name, dependency);
                Assert.Contains(condition, Conditions);
            }
        }

        var visiting = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name)
        {
            if (done.Contains(name))
            {
                return;
            }

            Assert.True(visiting.Add(name), $"depends_on cycle through {name}");
            foreach (var dependency in Compose.Services[name].DependsOn.Keys)
            {
                Visit(dependency);
            }

            visiting.Remove(name);
            done.Add(name);
        }

        foreach (var name in Compose.Services.Keys)
        {
            Visit(name);
        }
    }

    [Fact]
    public void EveryServiceAddressedInAnEnvironment_IsOnThePortItListensOn_AndStartedFirstUntilHealthy()
    {
        var checkedAddresses = 0;
        foreach (var service in Compose.Services.Values)
        {
            foreach (var (variable, host, port) in ComposeServices.Addresses(service))
            {
                Assert.True(ComposeServices.ListenPort(Compose.Services[host]) == port, $"{service.Name}: {variable} addresses {host}:{port}, but {host} listens on {ComposeServices.ListenPort(Compose.Services[host])}");
                Assert.True(
                    service.DependsOn.TryGetValue(host, out var condition) && condition == "service_healthy",
                    $"{service.Name} addresses {host} ({variable}) but does not wait for it to be healthy");
                checkedAddresses++;
            }
        }

        // Proxies → redis, internal-lb; hubs → redis; backends → redis, postgres; internal-lb → 2 backends; edge → 2 proxies,
        // 2 hubs; grafana → prometheus.
        Assert.Equal(17, checkedAddresses);
    }

    [Fact]
    public void Redis_RunsWithAppendOnlyFileOnANamedVolume()
    {
        var redis = Compose.Services["redis"];

        var appendOnly = redis.Command.ToList().IndexOf("--appendonly");
        Assert.True(appendOnly >= 0 && redis.Command[appendOnly + 1] == "yes", "redis runs without --appendonly yes: " + string.Join(' ', redis.Command));
        var data = Assert.Single(redis.Volumes, v => v.Target == "/data");
        Assert.Contains(data.Source, Compose.Volumes);
    }

    [Fact]
    public void Postgres_KeepsItsDataOnANamedVolume_AndCreatesTheReservationsDatabase()
    {
        var postgres = Compose.Services["postgres"];

        var data = Assert.Single(postgres.Volumes, v => v.Target == "/var/lib/postgresql/data");
        Assert.Contains(data.Source, Compose.Volumes);
        Assert.Equal("reservations", ComposeServices.Value(postgres, "POSTGRES_DB"));
        Assert.Contains("Database=reservations", Compose.Services["backend-a"].Environment["ConnectionStrings__Reservations"], StringComparison.Ordinal);
    }

    [Fact]
    public void EveryConfigurationVariable_OfADotnetService_IsAnOptionThatServiceReads_WithAValueOfItsType()
    {
        var problems = new List<string>();
        var resolved = 0;
        foreach (var service in ComposeServices.Dotnet)
        {
            var resolver = new ConfigurationKeyResolver(ServiceConfiguration.Of(ComposeServices.ProjectFolder(service)));
            foreach (var (variable, value) in service.Environment)
            {
                var resolution = resolver.Resolve(variable);
                if (!resolution.IsValid)
                {
                    problems.Add($"{service.Name}: {variable}: {resolution.Description}");
                    continue;
                }

                resolved++;
                if (resolution.ValueType is not null && value is not null && Interpolation.WithoutVariables(value) is { } literal
                    && !ConfigurationKeyResolver.Converts(literal, resolution.ValueType, out var error))
                {
                    problems.Add($"{service.Name}: {variable}='{literal}' is not a {resolution.ValueType.Name}: {error}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(resolved >= 6 * 4, $"only {resolved} variables checked");
    }

    [Fact]
    public void Secrets_ComeFromTheEnvironmentAndAreRequired_NeverWrittenInCompose()
    {
        var secretName = new Regex("AdminKey|Admin__Key|SigningKeys__|PASSWORD", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        var secrets = 0;
        foreach (var service in Compose.Services.Values)
        {
            foreach (var (variable, value) in service.Environment)
            {
                if (secretName.IsMatch(variable))
                {
                    Assert.True(Interpolation.IsRequiredVariable(value), $"{service.Name}: {variable} must be ${{VARIABLE:?message}}, is '{value}'");
                    secrets++;
                }
                else if (value is not null && value.Contains("Password=", StringComparison.OrdinalIgnoreCase))
                {
                    Assert.Matches(@"Password=\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}", value);
                    secrets++;
                }
            }
        }

        Assert.True(secrets >= 4 * 2 + 2 * 2 + 1 + 1, $"only {secrets} secrets found"); // admin + signing key × 4 (proxies, hubs), admin key + password × 2 backends, postgres, grafana
    }

    [Fact]
    public void ProxiesAndHubs_BelieveForwardedHeadersFromTheEdgesFixedAddressOnly()
    {
        var edge = Compose.Services["edge"];
        var (networkName, address) = Assert.Single(edge.Networks);
        Assert.NotNull(address);
        var network = Compose.Networks[networkName];
        Assert.True(IPNetwork.Parse(network.Subnet!).Contains(IPAddress.Parse(address)), $"{address} is outside {network.Subnet}");
        // Outside the dynamic range: a container started earlier cannot have taken it.
        Assert.False(IPNetwork.Parse(network.IpRange!).Contains(IPAddress.Parse(address)), $"{address} is inside the dynamic range {network.IpRange}");

        foreach (var proxy in ComposeServices.Dotnet.Where(s => ComposeServices.ProjectFolder(s) == "proxy"))
        {
            var trusted = proxy.Environment.Where(e => e.Key.StartsWith("WaitingRoom__Gate__TrustedProxies__", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.Equal(address, Assert.Single(trusted).Value);
        }

        // The hubs count per-address limits on the address the edge reports, so they trust it too.
        foreach (var hub in ComposeServices.Dotnet.Where(s => ComposeServices.ProjectFolder(s) == "socket-hub"))
        {
            var trusted = hub.Environment.Where(e => e.Key.StartsWith("SocketHub__TrustedProxies__", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.Equal(address, Assert.Single(trusted).Value);
        }
    }

    [Fact]
    public void NginxTemplates_MountedByCompose_Exist_AndEveryPlaceholderHasAValueThatEnvsubstFills()
    {
        var nginx = ComposeServices.Nginx.ToList();
        Assert.Equal(["edge", "internal-lb"], nginx.Select(s => s.Name).Order(StringComparer.Ordinal));
        foreach (var service in nginx)
        {
            var mounts = service.Volumes.Where(v => v.IsBind && v.Source.EndsWith(".template", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(mounts);
            foreach (var mount in mounts)
            {
                Assert.True(File.Exists(Repository.PathOf(mount.Source)), $"{service.Name} mounts {mount.Source}, which does not exist");
                Assert.True(mount.ReadOnly, $"{service.Name} mounts {mount.Source} writable");
            }

            // The image's envsubst fills only defined variables matching NGINX_ENVSUBST_FILTER (a POSIX ERE; this one is .NET-compatible).
            var filter = ComposeServices.Value(service, "NGINX_ENVSUBST_FILTER") is { } pattern ? new Regex(pattern, RegexOptions.CultureInvariant) : null;
            foreach (var template in ComposeServices.Templates(service))
            {
                Assert.NotEmpty(template.Placeholders);
                Assert.NotEmpty(template.ListenPlaceholders);
                foreach (var placeholder in template.Placeholders)
                {
                    Assert.False(string.IsNullOrEmpty(ComposeServices.Value(service, placeholder)), $"{service.Name}: {template.Path} uses ${{{placeholder}}}, which has no value");
                    Assert.True(filter?.IsMatch(placeholder) ?? true, $"{service.Name}: NGINX_ENVSUBST_FILTER keeps envsubst from filling ${{{placeholder}}}");
                }
            }
        }
    }

    [Fact]
    public void BindMounts_ExistInTheRepository()
    {
        foreach (var service in Compose.Services.Values)
        {
            foreach (var mount in service.Volumes.Where(v => v.IsBind))
            {
                var path = Repository.PathOf(mount.Source);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{service.Name} mounts {mount.Source}, which does not exist");
            }
        }
    }

    [Fact]
    public void Prometheus_ScrapesEveryDotnetServiceOnItsPort()
    {
        var config = Assert.Single(Compose.Services["prometheus"].Volumes, v => v.Target == "/etc/prometheus/prometheus.yml");
        var targets = ScrapeJobs(config.Source).SelectMany(job => job.Value).ToHashSet(StringComparer.Ordinal);

        foreach (var service in ComposeServices.Dotnet)
        {
            Assert.Contains($"{service.Name}:{ComposeServices.ListenPort(service)}", targets);
        }

        foreach (var target in targets.Where(t => !t.StartsWith("localhost:", StringComparison.Ordinal)))
        {
            Assert.True(Compose.Services.ContainsKey(target.Split(':')[0]), $"Prometheus scrapes {target}, which is no compose service");
        }
    }

    [Fact]
    public void Prometheus_HasTheLocalStacksJobs_SoTheDashboardsWorkOnBoth()
    {
        var config = Assert.Single(Compose.Services["prometheus"].Volumes, v => v.Target == "/etc/prometheus/prometheus.yml");

        Assert.Equal(
            ScrapeJobs("prometheus/prometheus.yml.template").Keys.Order(StringComparer.Ordinal),
            ScrapeJobs(config.Source).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GrafanaProvisioning_GetsAValueForEveryVariableItUses()
    {
        var grafana = Compose.Services["grafana"];
        var provisioning = Assert.Single(grafana.Volumes, v => v.Target == "/etc/grafana/provisioning");
        var files = Directory.EnumerateFiles(Repository.PathOf(provisioning.Source), "*.y*ml", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);

        foreach (var file in files)
        {
            foreach (var variable in Regex.Matches(File.ReadAllText(file), @"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}").Select(m => m.Groups["name"].Value))
            {
                Assert.False(string.IsNullOrEmpty(ComposeServices.Value(grafana, variable)), $"{Repository.Relative(file)} uses ${{{variable}}}, which grafana's environment does not set");
            }
        }
    }

    /// <summary>A Prometheus configuration's static scrape jobs: job name → targets.</summary>
    private static Dictionary<string, List<string>> ScrapeJobs(string relativePath)
    {
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(Repository.ReadAllText(relativePath));
        return ((List<object>)root["scrape_configs"])
            .Cast<Dictionary<object, object>>()
            .ToDictionary(
                job => (string)job["job_name"],
                job => ((List<object>)job["static_configs"]).Cast<Dictionary<object, object>>()
                    .SelectMany(group => ((List<object>)group["targets"]).Cast<string>())
                    .ToList(),
                StringComparer.Ordinal);
    }
}

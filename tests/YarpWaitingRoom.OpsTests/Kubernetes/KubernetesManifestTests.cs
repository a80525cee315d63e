using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Configuration;
using YarpWaitingRoom.OpsTests.Nginx;

namespace YarpWaitingRoom.OpsTests.Kubernetes;

/// <summary>
/// deploy/kubernetes, checked without a cluster: each overlay as <c>kubectl kustomize</c> renders it, validated against
/// the schemas of one Kubernetes version, and held against the code (options, probe paths, ports, metrics, stop times),
/// the edge nginx (the Ingress routes) and the topology (the NetworkPolicies allow exactly its connections).
/// </summary>
public partial class KubernetesManifestTests
{
    /// <summary>The Secret the manifests reference and README tells operators to create.</summary>
    private const string SecretName = "yarp-waiting-room";

    /// <summary>The images the repository's Dockerfile builds, by the project folder each runs.</summary>
    private static readonly Dictionary<string, string> ProjectOfImage = new(StringComparer.Ordinal)
    {
        ["yarp-waiting-room-proxy"] = "proxy",
        ["yarp-waiting-room-hub"] = "socket-hub",
        ["yarp-waiting-room-backend"] = "backend-reservation",
    };

    public static TheoryData<string> Overlays => [.. RenderedOverlay.Names];

    [Fact]
    public void TheOverlays_AreLocalAndProduction()
    {
        Assert.Equal(["local", "production"], RenderedOverlay.Names);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_Renders_AndEveryObjectValidatesAgainstThePinnedKubernetesSchemas(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);

        var result = await ManifestValidator.ValidateAsync(rendered.Yaml, TestContext.Current.CancellationToken);

        Assert.True(result.IsValid, result.Output);
        Assert.Equal(rendered.Objects.Count, result.Validated);
        Assert.True(rendered.Objects.Count >= 20, $"only {rendered.Objects.Count} objects rendered");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_HasEveryKindTheTiersNeed_ForProxyHubAndBackend(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        foreach (var tier in new[] { "proxy", "hub", "backend" })
        {
            foreach (var kind in new[] { "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy" })
            {
                Assert.NotNull(rendered.Find(kind, tier));
            }
        }

        Assert.NotNull(rendered.Find("NetworkPolicy", "default-deny"));
        Assert.Equal(3, rendered.OfKind("Ingress").Count());
        Assert.Empty(rendered.OfKind("Secret"));
        var namespaces = rendered.Objects.Where(o => RenderedOverlay.Kind(o) != "Namespace").Select(RenderedOverlay.NamespaceOf).Distinct().ToList();
        Assert.Equal(RenderedOverlay.NameOf(Assert.Single(rendered.OfKind("Namespace"))), Assert.Single(namespaces));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryEnvironmentVariable_OfAProxyHubOrBackend_IsAnOptionThatServiceReads_WithAValueOfItsType(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var problems = new List<string>();
        var resolved = 0;
        foreach (var workload in Workloads(rendered))
        {
            var resolver = new ConfigurationKeyResolver(ServiceConfiguration.Of(workload.Project));
            foreach (var (variable, value) in workload.Environment(rendered))
            {
                var resolution = resolver.Resolve(variable);
                if (!resolution.IsValid)
                {
                    problems.Add($"{workload.Name}: {variable}: {resolution.Description}");
                    continue;
                }

                resolved++;
                if (resolution.ValueType is not null && value is not null && !ConfigurationKeyResolver.Converts(value, resolution.ValueType, out var error))
                {
                    problems.Add($"{workload.Name}: {variable}='{value}' is not a {resolution.ValueType.Name}: {error}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(resolved >= 3 * 6, $"only {resolved} variables checked");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ProxiesAndHubs_ReadTheSameRoomOptions(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        // WaitingRoom:Gate is the proxies' own (the gate); the rest of the section is the rooms, keys and cookies both read.
        static bool Shared((string Variable, string? Value) e) =>
            e.Variable.StartsWith("WaitingRoom__", StringComparison.Ordinal) && !e.Variable.StartsWith("WaitingRoom__Gate__", StringComparison.Ordinal);
        var proxy = Workloads(rendered).Single(w => w.Project == "proxy").Environment(rendered).Where(Shared).ToList();
        var hub = Workloads(rendered).Single(w => w.Project == "socket-hub").Environment(rendered).Where(Shared).ToList();

        Assert.Equal(proxy.Order(), hub.Order());
        Assert.Contains(proxy, e => e.Variable.StartsWith("WaitingRoom__Rooms__", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Secrets_AreReferencedFromTheSecretReadmeCreates_NeverWrittenInAManifest(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var secretName = SecretLike();
        var documented = DocumentedSecretKeys();
        var references = 0;
        foreach (var deployment in rendered.OfKind("Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                Assert.All(container["envFrom"] as JsonArray ?? [], e => Assert.Null(e!["secretRef"]));
                foreach (var env in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var name = (string)env["name"]!;
                    if (env["valueFrom"]?["secretKeyRef"] is JsonObject reference)
                    {
                        Assert.Equal(SecretName, (string?)reference["name"]);
                        Assert.True(documented.Contains((string)reference["key"]!), $"{RenderedOverlay.NameOf(deployment)}: {name} reads the key '{reference["key"]}', which README's kubectl create secret does not create");
                        references++;
                    }
                    else
                    {
                        Assert.False(secretName.IsMatch(name), $"{RenderedOverlay.NameOf(deployment)}: {name} must come from the Secret {SecretName}");
                    }
                }
            }
        }

        foreach (var configMap in rendered.OfKind("ConfigMap"))
        {
            Assert.All((configMap["data"] as JsonObject ?? []).Select(d => d.Key), key => Assert.False(secretName.IsMatch(key), $"{RenderedOverlay.NameOf(configMap)}: {key} is a secret"));
        }

        Assert.True(references >= 3 + 3 + 3, $"only {references} secret references");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Pods_RunAsTheImagesUser_NonRoot_ReadOnly_WithoutPrivileges_AndWithRequestsAndLimits(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        foreach (var deployment in rendered.OfKind("Deployment"))
        {
            var name = RenderedOverlay.NameOf(deployment);
            var pod = deployment["spec"]!["template"]!["spec"]!;
            Assert.Equal("true", (string?)pod["securityContext"]?["runAsNonRoot"]);
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]?["seccompProfile"]?["type"]);
            Assert.Equal("false", (string?)pod["automountServiceAccountToken"]);
            foreach (var container in Containers(deployment))
            {
                Assert.Equal("true", (string?)container["securityContext"]?["readOnlyRootFilesystem"]);
                Assert.Equal("false", (string?)container["securityContext"]?["allowPrivilegeEscalation"]);
                Assert.Equal(["ALL"], (container["securityContext"]?["capabilities"]?["drop"] as JsonArray ?? []).Select(c => (string?)c));
                foreach (var bound in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.True(container["resources"]?[bound]?[resource] is not null, $"{name}: no {bound}.{resource}");
                    }
                }
            }
        }

        // The .NET images' APP_UID, which the Dockerfile runs as (USER $APP_UID).
        Assert.Contains("USER $APP_UID", Repository.ReadAllText("Dockerfile"), StringComparison.Ordinal);
        Assert.All(Workloads(rendered), w => Assert.Equal("1654", (string?)w.Deployment["spec"]!["template"]!["spec"]!["securityContext"]?["runAsUser"]));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Probes_AskTheHealthEndpointsTheServicesMap_OnThePortTheyListenOn_AndMetricsAreScrapedThere(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var defaults = Repository.ReadAllText("service-defaults/ServiceDefaultsExtensions.cs");
        Assert.Contains("MapHealthChecks(\"/readyz\"", defaults, StringComparison.Ordinal);
        Assert.Contains("MapHealthChecks(\"/healthz\"", defaults, StringComparison.Ordinal);
        Assert.Contains("MapMetrics(\"/metrics\")", defaults, StringComparison.Ordinal);
        foreach (var workload in Workloads(rendered))
        {
            var listens = workload.Environment(rendered).Single(e => e.Variable == "ASPNETCORE_HTTP_PORTS").Value;
            Assert.Equal(listens, workload.ContainerPort("http").ToString(CultureInfo.InvariantCulture));
            Assert.Equal("/readyz", (string?)workload.Container["readinessProbe"]?["httpGet"]?["path"]);
            Assert.Equal("/healthz", (string?)workload.Container["livenessProbe"]?["httpGet"]?["path"]);
            Assert.Equal("/healthz", (string?)workload.Container["startupProbe"]?["httpGet"]?["path"]);
            foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                Assert.Equal("http", (string?)workload.Container[probe]?["httpGet"]?["port"]);
            }

            var annotations = workload.Deployment["spec"]!["template"]!["metadata"]!["annotations"]!;
            Assert.Equal("true", (string?)annotations["prometheus.io/scrape"]);
            Assert.Equal(listens, (string?)annotations["prometheus.io/port"]);
            Assert.Equal("/metrics", (string?)annotations["prometheus.io/path"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EachPod_StopsWithinItsGracePeriod_AfterItsPreStop_AndRollsWithoutLosingCapacity(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        // What a stop takes after SIGTERM: the hubs drain their sockets (close 1012, then abort after DrainTimeout); the
        // proxies and backends let in-flight requests finish for up to the host's ShutdownTimeout. About a second more
        // stops the loops (README "Containers").
        var drain = (TimeSpan)Activator.CreateInstance(YarpWaitingRoom.Hub.Extensions.HubRegistration.BoundSections["SocketHub"])!
            .GetType().GetProperty("DrainTimeout")!.GetValue(Activator.CreateInstance(YarpWaitingRoom.Hub.Extensions.HubRegistration.BoundSections["SocketHub"]))!;
        var shutdown = new Microsoft.Extensions.Hosting.HostOptions().ShutdownTimeout;
        foreach (var workload in Workloads(rendered))
        {
            var preStop = workload.Container["lifecycle"]?["preStop"]?["exec"]?["command"] as JsonArray;
            Assert.NotNull(preStop);
            Assert.Equal("sleep", (string?)preStop[0]);
            var sleep = TimeSpan.FromSeconds(int.Parse((string)preStop[1]!, CultureInfo.InvariantCulture));
            var stop = workload.Project == "socket-hub" ? drain : shutdown;
            var grace = TimeSpan.FromSeconds(int.Parse((string)workload.Deployment["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!, CultureInfo.InvariantCulture));
            Assert.True(sleep + stop + TimeSpan.FromSeconds(1) <= grace, $"{workload.Name}: preStop {sleep} + stop {stop} + 1 s > grace {grace}");
            Assert.True(grace <= sleep + stop + TimeSpan.FromSeconds(15), $"{workload.Name}: grace {grace} holds a stuck pod far longer than it needs");
            Assert.True(sleep >= TimeSpan.FromSeconds(3), $"{workload.Name}: preStop {sleep} is too short for the ingress to drop the pod first");

            var strategy = workload.Deployment["spec"]!["strategy"]!;
            Assert.Equal("RollingUpdate", (string?)strategy["type"]);
            Assert.Equal("0", (string?)strategy["rollingUpdate"]?["maxUnavailable"]);
            Assert.Equal("1", (string?)strategy["rollingUpdate"]?["maxSurge"]);
            Assert.NotEmpty(workload.Deployment["spec"]!["template"]!["spec"]!["topologySpreadConstraints"] as JsonArray ?? []);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ServicesAutoscalersAndBudgets_SelectTheirDeployment_AndHubsScaleOnTheirSocketGauge(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var hubMetrics = Repository.ReadAllText("waiting-room-hub/Diagnostics/HubMetrics.cs");
        foreach (var workload in Workloads(rendered))
        {
            var service = rendered.Single("Service", workload.Name);
            Assert.True(Selects(service["spec"]!["selector"]!, workload.PodLabels), $"Service {workload.Name} does not select its pods");
            Assert.All(service["spec"]!["ports"]!.AsArray(), p => Assert.Equal("http", (string?)p!["targetPort"]));

            var budget = rendered.Single("PodDisruptionBudget", workload.Name);
            Assert.True(Selects(budget["spec"]!["selector"]!["matchLabels"]!, workload.PodLabels), $"PodDisruptionBudget {workload.Name} does not select its pods");

            var autoscaler = rendered.Single("HorizontalPodAutoscaler", workload.Name);
            Assert.Equal(workload.Name, (string?)autoscaler["spec"]!["scaleTargetRef"]!["name"]);
            Assert.Equal("Deployment", (string?)autoscaler["spec"]!["scaleTargetRef"]!["kind"]);
            var minimum = int.Parse((string)autoscaler["spec"]!["minReplicas"]!, CultureInfo.InvariantCulture);
            Assert.True(minimum >= 2, $"{workload.Name}: one replica is a single point of failure");
            Assert.True(int.Parse((string)budget["spec"]!["maxUnavailable"]!, CultureInfo.InvariantCulture) < minimum);

            var metrics = autoscaler["spec"]!["metrics"]!.AsArray().OfType<JsonObject>().ToList();
            Assert.Contains(metrics, m => (string?)m["type"] == "Resource" && (string?)m["resource"]?["name"] == "cpu");
            if (workload.Project == "socket-hub")
            {
                var sockets = Assert.Single(metrics, m => (string?)m["type"] == "Pods");
                var gauge = (string)sockets["pods"]!["metric"]!["name"]!;
                Assert.Contains($"CreateGauge(\"{gauge}\"", hubMetrics, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Ingresses_RouteAsTheEdgeNginx_ToTheSameTiers_WithItsTimeoutsRetriesAndBodyLimit(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var edge = NginxTemplate.Load("nginx/edge.conf.template");
        // The edge's upstreams are the tiers' Services here.
        var serviceOfUpstream = new Dictionary<string, string>(StringComparer.Ordinal) { ["waiting_room_proxies"] = "proxy", ["waiting_room_hubs"] = "hub" };
        var expected = edge.Locations.Where(l => l.Upstream is not null)
            .Select(l => (Path: PathOf(l.Match), Service: serviceOfUpstream[l.Upstream!], Settings: Annotations(l, edge)))
            .ToList();
        var actual = rendered.OfKind("Ingress").SelectMany(ingress =>
            ingress["spec"]!["rules"]!.AsArray().SelectMany(rule => rule!["http"]!["paths"]!.AsArray()).Select(path =>
            (Path: ((string)path!["pathType"]!, (string)path["path"]!),
                Service: (string)path["backend"]!["service"]!["name"]!,
                Settings: (ingress["metadata"]!["annotations"] as JsonObject ?? []).ToDictionary(a => a.Key, a => (string)a.Value!, StringComparer.Ordinal))))
            .ToList();

        Assert.Equal(expected.Select(e => (e.Path, e.Service)).Order(), actual.Select(a => (a.Path, a.Service)).Order());
        foreach (var location in expected)
        {
            var settings = actual.Single(a => a.Path == location.Path).Settings;
            Assert.Equal(location.Settings.OrderBy(s => s.Key, StringComparer.Ordinal), settings.OrderBy(s => s.Key, StringComparer.Ordinal));
        }

        foreach (var ingress in rendered.OfKind("Ingress"))
        {
            Assert.Equal("nginx", (string?)ingress["spec"]!["ingressClassName"]);
            foreach (var path in ingress["spec"]!["rules"]!.AsArray().SelectMany(rule => rule!["http"]!["paths"]!.AsArray()))
            {
                var service = rendered.Single("Service", (string)path!["backend"]!["service"]!["name"]!);
                Assert.Contains(service["spec"]!["ports"]!.AsArray(), p => (string?)p!["name"] == (string?)path["backend"]!["service"]!["port"]!["name"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void NetworkPolicies_AllowExactlyTheConnectionsTheTopologyNeeds(string overlay)
    {
        var rendered = RenderedOverlay.Of(overlay);
        var ns = RenderedOverlay.NameOf(Assert.Single(rendered.OfKind("Namespace")));
        var policies = new NetworkPolicies(ns, [.. rendered.OfKind("NetworkPolicy")]);
        Party PodOf(string deployment) => new(deployment, ns, Workload.PodLabelsOf(rendered.Single("Deployment", deployment)));
        // Redis and PostgreSQL: pods of the overlay (local) or managed services outside the cluster (production).
        Party Store(string name) => rendered.Find("Deployment", name) is null ? Party.Outside(name) : PodOf(name);

        var ingress = Party.Pod("ingress-nginx", "ingress-nginx", ("app.kubernetes.io/name", "ingress-nginx"), ("app.kubernetes.io/component", "controller"));
        var prometheus = Party.Pod("prometheus", "monitoring", ("app.kubernetes.io/name", "prometheus"));
        var dns = Party.Pod("kube-dns", "kube-system", ("k8s-app", "kube-dns"));
        var stranger = Party.Pod("another pod of the namespace", ns, ("app.kubernetes.io/name", "stranger"));
        var outsider = Party.Pod("a pod of another namespace", "elsewhere", ("app.kubernetes.io/name", "ingress-nginx"));
        var (proxy, hub, backend, redis, postgres) = (PodOf("proxy"), PodOf("hub"), PodOf("backend"), Store("redis"), Store("postgres"));

        // The proxies reach the backends through the address their configuration names: the Service backend's port.
        var destination = Workloads(rendered).Single(w => w.Project == "proxy").Environment(rendered)
            .Single(e => e.Variable.StartsWith("ReverseProxy__Clusters__reservation__Destinations__", StringComparison.Ordinal)).Value!;
        var backendService = rendered.Single("Service", new Uri(destination).Host);
        Assert.Contains(backendService["spec"]!["ports"]!.AsArray(), p => (string?)p!["port"] == new Uri(destination).Port.ToString(CultureInfo.InvariantCulture));

        var ports = new Dictionary<Party, int>
        {
            [proxy] = Workload.Of(rendered, "proxy").ContainerPort("http"),
            [hub] = Workload.Of(rendered, "hub").ContainerPort("http"),
            [backend] = Workload.Of(rendered, "backend").ContainerPort("http"),
            [redis] = 6379,
            [postgres] = 5432,
            [dns] = 53,
        };
        var needed = new HashSet<(Party, Party)>
        {
            (ingress, proxy), (ingress, hub),
            (prometheus, proxy), (prometheus, hub), (prometheus, backend),
            (proxy, backend),
            (proxy, redis), (hub, redis), (backend, redis),
            (backend, postgres),
            (proxy, dns), (hub, dns), (backend, dns),
        };

        Party[] sources = [ingress, prometheus, proxy, hub, backend, stranger, outsider, .. new[] { redis, postgres }.Where(p => p.Namespace is not null)];
        var wrong = new List<string>();
        foreach (var source in sources)
        {
            foreach (var (target, port) in ports)
            {
                // Between two parties outside the namespace no policy of ours has a say.
                if (source == target || (source.Namespace != ns && target.Namespace != ns))
                {
                    continue;
                }

                var protocols = target == dns ? new[] { "UDP", "TCP" } : ["TCP"];
                foreach (var protocol in protocols)
                {
                    var allowed = policies.Allows(source, target, protocol, port);
                    if (allowed != needed.Contains((source, target)))
                    {
                        wrong.Add($"{source} → {target}:{port}/{protocol} is {(allowed ? "allowed" : "refused")}");
                    }
                }

                // Another port of the same pod is never open.
                if (target.Namespace == ns && policies.Allows(source, target, "TCP", 22))
                {
                    wrong.Add($"{source} → {target}:22 is allowed");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void GrafanaDashboards_AreOneConfigMapForTheSidecar_HoldingEveryDashboardFileAsItIs()
    {
        var rendered = RenderedOverlay.Of("production");
        var dashboards = rendered.Single("ConfigMap", "waiting-room-dashboards");
        Assert.Equal("1", (string?)dashboards["metadata"]!["labels"]!["grafana_dashboard"]);

        var files = Directory.EnumerateFiles(Repository.PathOf("grafana/dashboards"), "*.json").ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
        var data = dashboards["data"]!.AsObject().ToDictionary(d => d.Key, d => (string)d.Value!, StringComparer.Ordinal);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), data.Keys.Order(StringComparer.Ordinal));
        Assert.All(files, file => Assert.Equal(file.Value, data[file.Key]));
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static IEnumerable<Workload> Workloads(RenderedOverlay rendered) =>
        rendered.OfKind("Deployment").Where(d => ProjectOfImage.ContainsKey(ImageName(d))).Select(d => new Workload(d, ProjectOfImage[ImageName(d)]));

    private static string ImageName(JsonObject deployment)
    {
        var image = (string)Containers(deployment).Single()["image"]!;
        var name = image.Split('@')[0];
        var colon = name.LastIndexOf(':');
        name = colon > name.LastIndexOf('/') ? name[..colon] : name;
        var last = name[(name.LastIndexOf('/') + 1)..];
        // The overlays may move an image to a registry of theirs: registry/.../proxy or yarp-waiting-room-proxy.
        return ProjectOfImage.ContainsKey(name) ? name : ProjectOfImage.Keys.FirstOrDefault(k => k.EndsWith("-" + last, StringComparison.Ordinal)) ?? name;
    }

    internal static IEnumerable<JsonObject> Containers(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().OfType<JsonObject>();

    private static bool Selects(JsonNode selector, IReadOnlyDictionary<string, string> labels) =>
        selector.AsObject().All(s => labels.TryGetValue(s.Key, out var value) && value == (string?)s.Value);

    private static (string, string) PathOf(string match) => match.Split(' ', 2) switch
    {
        ["=", var path] => ("Exact", path),
        // nginx's ^~ and plain prefixes match by characters, Kubernetes' Prefix by path elements: /_wr/wait either way.
        ["^~", var path] => ("Prefix", path),
        [var path] => ("Prefix", path),
        _ => throw new NotSupportedException($"location {match}: no Ingress path type matches it"),
    };

    /// <summary>The ingress-nginx annotations that say what a location of the edge says.</summary>
    private static Dictionary<string, string> Annotations(NginxLocation location, NginxTemplate edge)
    {
        const string Prefix = "nginx.ingress.kubernetes.io/";
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var directive in new[] { "proxy_connect_timeout", "proxy_read_timeout", "proxy_send_timeout", "proxy_next_upstream_timeout" })
        {
            if (location.Directives.TryGetValue(directive, out var value))
            {
                annotations[Prefix + directive.Replace('_', '-')] = value.TrimEnd('s');
            }
        }

        foreach (var directive in new[] { "proxy_next_upstream", "proxy_next_upstream_tries" })
        {
            if (location.Directives.TryGetValue(directive, out var value))
            {
                annotations[Prefix + directive.Replace('_', '-')] = value;
            }
        }

        annotations[Prefix + "proxy-body-size"] = location.Directives.TryGetValue("client_max_body_size", out var body) ? body : edge.ServerDirectives["client_max_body_size"];
        return annotations;
    }

    /// <summary>Environment variable names that hold secrets.</summary>
    [GeneratedRegex("AdminKey|Admin__Key|SigningKeys__|ConnectionStrings__|PASSWORD|-key$|password", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretLike();

    /// <summary>The keys of README's <c>kubectl create secret generic yarp-waiting-room --from-literal=KEY=...</c>.</summary>
    private static HashSet<string> DocumentedSecretKeys()
    {
        var readme = Repository.ReadAllText("README.md");
        var command = Regex.Match(readme, @"kubectl[^\n]*create secret generic " + SecretName + @"(?<rest>(?:[^\n]*\\\n)*[^\n]*)");
        Assert.True(command.Success, "README has no kubectl create secret generic " + SecretName);
        var keys = Regex.Matches(command.Groups["rest"].Value, @"--from-literal=(?<key>[a-z0-9-]+)=").Select(m => m.Groups["key"].Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(keys);
        return keys;
    }
}

/// <summary>A Deployment of one of the repository's images, and the project folder it runs.</summary>
internal sealed record Workload(JsonObject Deployment, string Project)
{
    public string Name => RenderedOverlay.NameOf(Deployment);

    public JsonObject Container => KubernetesManifestTests.Containers(Deployment).Single();

    public IReadOnlyDictionary<string, string> PodLabels => PodLabelsOf(Deployment);

    public static Workload Of(RenderedOverlay rendered, string name) => new(rendered.Single("Deployment", name), name);

    public static Dictionary<string, string> PodLabelsOf(JsonObject deployment) =>
        deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().ToDictionary(l => l.Key, l => (string)l.Value!, StringComparer.Ordinal);

    public int ContainerPort(string name) =>
        int.Parse((string)Container["ports"]!.AsArray().Single(p => (string?)p!["name"] == name)!["containerPort"]!, CultureInfo.InvariantCulture);

    /// <summary>
    /// Every variable the container gets, with its value where the manifests give one: literal, or from a rendered
    /// ConfigMap (<c>envFrom</c>, <c>configMapKeyRef</c>); a Secret's or a field's value is null (not in the manifests).
    /// </summary>
    public IEnumerable<(string Variable, string? Value)> Environment(RenderedOverlay rendered)
    {
        foreach (var source in (Container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var configMap = rendered.Single("ConfigMap", (string)source["configMapRef"]!["name"]!);
            foreach (var (key, value) in configMap["data"]!.AsObject())
            {
                yield return ((string?)source["prefix"] + key, (string?)value);
            }
        }

        foreach (var env in (Container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string)env["name"]!;
            if (env["valueFrom"]?["configMapKeyRef"] is JsonObject reference)
            {
                var data = rendered.Single("ConfigMap", (string)reference["name"]!)["data"]!;
                yield return (name, (string?)data[(string)reference["key"]!] ?? throw new InvalidDataException($"{Name}: {name} names the key '{reference["key"]}', which its ConfigMap lacks"));
            }
            else
            {
                yield return (name, (string?)env["value"]);
            }
        }
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace YarpWaitingRoom.OpsTests.Kubernetes;

/// <summary>
/// A party to a connection: a pod (its namespace and labels) or something outside the cluster (a managed Redis, say:
/// <see cref="Namespace"/> null), which only an <c>ipBlock</c> or a peer-less rule matches.
/// </summary>
internal sealed record Party(string Name, string? Namespace, IReadOnlyDictionary<string, string> Labels)
{
    public static Party Pod(string name, string @namespace, params (string Key, string Value)[] labels) =>
        new(name, @namespace, labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal));

    public static Party Outside(string name) => new(name, null, new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>The labels Kubernetes gives every namespace.</summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels =>
        Namespace is null ? new Dictionary<string, string>() : new Dictionary<string, string>(StringComparer.Ordinal) { ["kubernetes.io/metadata.name"] = Namespace };

    public override string ToString() => Name;
}

/// <summary>
/// The rendered NetworkPolicies of one namespace, evaluated as Kubernetes does: a pod that no policy selects for a
/// direction is open in it; a selected one accepts only what some rule of those policies allows; a connection between
/// two pods needs the source's egress and the destination's ingress. Only <c>matchLabels</c> selectors and numeric
/// ports are understood: anything else throws, so a policy written another way cannot pass unchecked.
/// </summary>
internal sealed class NetworkPolicies(string @namespace, IReadOnlyList<JsonObject> policies)
{
    public bool Allows(Party source, Party destination, string protocol, int port) =>
        (source.Namespace != @namespace || Permits(source, "Egress", "egress", "to", destination, protocol, port))
        && (destination.Namespace != @namespace || Permits(destination, "Ingress", "ingress", "from", source, protocol, port));

    private bool Permits(Party pod, string type, string rulesField, string peersField, Party other, string protocol, int port)
    {
        var selecting = policies.Where(p => Types(p).Contains(type) && Matches(p["spec"]?["podSelector"], pod.Labels)).ToList();
        if (selecting.Count == 0)
        {
            return true;
        }

        return selecting.Any(policy => (policy["spec"]?[rulesField] as JsonArray ?? []).OfType<JsonObject>().Any(rule =>
            PeersMatch(rule[peersField] as JsonArray, other) && PortsMatch(rule["ports"] as JsonArray, protocol, port)));
    }

    private static List<string> Types(JsonObject policy)
    {
        if (policy["spec"]?["policyTypes"] is JsonArray types)
        {
            return [.. types.Select(t => (string)t!)];
        }

        // Kubernetes' default: Ingress, and Egress when egress rules are written.
        return policy["spec"]?["egress"] is null ? ["Ingress"] : ["Ingress", "Egress"];
    }

    private bool PeersMatch(JsonArray? peers, Party other)
    {
        if (peers is null || peers.Count == 0)
        {
            return true;
        }

        return peers.OfType<JsonObject>().Any(peer =>
        {
            if (peer["ipBlock"] is not null)
            {
                throw new NotSupportedException("ipBlock peers are not evaluated by these tests: describe the party by labels, or extend NetworkPolicies");
            }

            var podSelector = peer["podSelector"];
            var namespaceSelector = peer["namespaceSelector"];
            if (other.Namespace is null)
            {
                return false;
            }

            var namespaceMatches = namespaceSelector is null ? other.Namespace == @namespace : Matches(namespaceSelector, other.NamespaceLabels);
            return namespaceMatches && (podSelector is null || Matches(podSelector, other.Labels));
        });
    }

    private static bool PortsMatch(JsonArray? ports, string protocol, int port) =>
        ports is null || ports.Count == 0 || ports.OfType<JsonObject>().Any(p =>
            ((string?)p["protocol"] ?? "TCP") == protocol
            && (p["port"] is null || (int.TryParse((string?)p["port"], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                ? number == port
                : throw new NotSupportedException($"named port '{p["port"]}' in a NetworkPolicy is not evaluated by these tests"))));

    private static bool Matches(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is not JsonObject fields)
        {
            throw new InvalidDataException("a selector that is not an object");
        }

        if (fields["matchExpressions"] is not null)
        {
            throw new NotSupportedException("matchExpressions are not evaluated by these tests");
        }

        return (fields["matchLabels"] as JsonObject ?? []).All(l => labels.TryGetValue(l.Key, out var value) && value == (string?)l.Value);
    }
}

namespace YarpWaitingRoom.OpsTests.Configuration;

/// <summary>The YARP route ids and cluster ids (→ destination ids) a service's appsettings.json defines.</summary>
internal sealed record ReverseProxyIds(IReadOnlySet<string> Routes, IReadOnlyDictionary<string, IReadOnlySet<string>> Clusters);

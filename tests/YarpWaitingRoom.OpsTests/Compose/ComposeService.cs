namespace YarpWaitingRoom.OpsTests.Compose;

/// <summary>What the tests read of one service in compose.yaml, after merge keys and before variable interpolation.</summary>
internal sealed record ComposeService(string Name)
{
    public string? Image { get; init; }

    /// <summary>The Dockerfile, repository-relative (compose resolves <c>build.dockerfile</c> against <c>build.context</c>).</summary>
    public string? Dockerfile { get; init; }

    /// <summary><c>build.context</c>, repository-relative (<c>.</c>: the repository root).</summary>
    public string? BuildContext { get; init; }

    /// <summary><c>build.args</c>: build argument → value (null when the list form names one without a value).</summary>
    public IReadOnlyDictionary<string, string?> BuildArgs { get; init; } = new Dictionary<string, string?>();

    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The inline <c>healthcheck.test</c>, null when the service has none (it may inherit its image's).</summary>
    public IReadOnlyList<string>? HealthcheckTest { get; init; }

    /// <summary><c>healthcheck.disable: true</c> or a test of <c>NONE</c>: no health check at all, not even the image's.</summary>
    public bool HealthcheckDisabled { get; init; }

    /// <summary>Service → condition (the short list form means <c>service_started</c>).</summary>
    public IReadOnlyDictionary<string, string> DependsOn { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<PortMapping> Ports { get; init; } = [];

    public IReadOnlyList<VolumeMount> Volumes { get; init; } = [];

    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Network → fixed <c>ipv4_address</c> (null when the network assigns one).</summary>
    public IReadOnlyDictionary<string, string?> Networks { get; init; } = new Dictionary<string, string?>();
}

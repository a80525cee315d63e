namespace YarpWaitingRoom.OpsTests.Kubernetes;

/// <summary>
/// What <c>deploy/kubernetes/validate/validate.mjs</c> said of a manifest stream: its exit code (0 all valid, 1 something
/// invalid or nothing to validate, 2 unreadable input), everything it printed (one <c>ok</c> or <c>invalid</c> line per
/// object, then the summary), and the counts and Kubernetes version of its summary line (0, 0 and null without one).
/// </summary>
internal sealed record ManifestValidation(int ExitCode, string Output, int Validated, int Invalid, string? KubernetesVersion)
{
    public bool IsValid => ExitCode == 0;
}

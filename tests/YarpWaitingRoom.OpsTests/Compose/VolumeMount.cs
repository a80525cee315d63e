namespace YarpWaitingRoom.OpsTests.Compose;

/// <summary>One entry of a service's <c>volumes</c>: a bind mount (source is a path) or a named volume.</summary>
internal sealed record VolumeMount(string Source, string Target, bool ReadOnly)
{
    public bool IsBind => Source.StartsWith('.') || Source.StartsWith('/');
}

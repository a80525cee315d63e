namespace YarpWaitingRoom.Hosting;

/// <summary>Tags of the waiting room's health checks.</summary>
internal static class HealthTags
{
    /// <summary>The checks that decide readiness (<c>/readyz</c> in the hosts of this repository).</summary>
    public const string Ready = "ready";
}

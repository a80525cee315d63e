using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Hub.Extensions;

/// <summary>Bound from <c>SocketHub</c>.</summary>
internal sealed class SocketHubOptions : IValidatableObject
{
    public const string SectionName = "SocketHub";

    /// <summary>This instance's name: the owner written into admission-notice claims, and a metrics label.</summary>
    [Required]
    public string InstanceName { get; set; } = "hub";

    /// <summary>How often every waiting session gets its position.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the heartbeats received are written to Redis, all in one call per room.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30")]
    public TimeSpan HeartbeatFlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages waiting to be sent to one socket; a client that lets more pile up is too slow and is closed.</summary>
    [Range(1, 10_000)]
    public int SendQueueCapacity { get; set; } = 16;

    /// <summary>Largest frame accepted from a client (bigger: close 1009).</summary>
    [Range(64, 1 << 20)]
    public int MaxFrameBytes { get; set; } = 4096;

    /// <summary>
    /// How long a send may take before the socket is considered stuck and aborted; one timing wheel for all sessions
    /// with a slot per quarter of it (<see cref="Sessions.SendDeadlines"/>), so a stuck send ends within 1¼ SendTimeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When the hub stops, how long clients get to answer the 1012 close before their sockets are aborted. Keep it
    /// well inside the host's shutdown timeout and the orchestrator's grace period.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Sockets one ticket may hold open in this hub (tabs of one visitor). One more closes the oldest with
    /// <see cref="Sessions.HubCloseCodes.Replaced"/>.
    /// </summary>
    [Range(1, 100)]
    public int MaxSocketsPerTicket { get; set; } = 3;

    /// <summary>Sockets one client address may hold open in this hub; one more is refused with 429 before the upgrade.</summary>
    [Range(1, 1_000_000)]
    public int MaxSocketsPerAddress { get; set; } = 20;

    /// <summary>
    /// Origins (<c>https://tickets.example</c>) whose pages may open a WebSocket, besides the site's own: an upgrade whose
    /// <c>Origin</c> names the host it was sent to (the <c>Host</c> nginx passes on) is always accepted, one without
    /// <c>Origin</c> (not a browser) too; any other is refused with 403 before the upgrade.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedOrigins.Count; i++)
        {
            if (!Endpoints.UpgradeOrigins.TryNormalize(AllowedOrigins[i], out _))
            {
                yield return new ValidationResult(
                    $"{SectionName}:{nameof(AllowedOrigins)}:{i} = '{AllowedOrigins[i]}' is not an origin (scheme://host[:port], http or https, nothing after).",
                    [nameof(AllowedOrigins)]);
            }
        }
    }
}

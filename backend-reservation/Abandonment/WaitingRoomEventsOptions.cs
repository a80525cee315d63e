using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Reservation.Abandonment;

/// <summary>Bound from <c>Reservation:WaitingRoomEvents</c>: which rooms' event streams release holds.</summary>
public sealed class WaitingRoomEventsOptions
{
    public const string SectionName = "Reservation:WaitingRoomEvents";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Rooms whose <c>{wr:&lt;room&gt;}:events</c> stream this backend follows (appsettings.json: <c>concert</c>).
    /// No default here: configuration binding appends to a non-empty array instead of replacing it.
    /// </summary>
    [MinLength(1)]
    public string[] Rooms { get; set; } = [];

    /// <summary>Consumer group shared by every backend instance.</summary>
    [Required]
    public string Group { get; set; } = "reservation";

    /// <summary>
    /// This instance's consumer name. Keep it stable across restarts (the stack sets <c>Reservation:InstanceName</c>),
    /// so a restarted instance resumes the entries it had read but not acknowledged.
    /// </summary>
    public string? Consumer { get; set; }

    /// <summary>Pause between reads when the streams are idle.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Entries another consumer read but did not acknowledge for this long are claimed (that consumer died).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimIdleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Another consumer of the group that has nothing pending and has not read for this long is deleted from the group
    /// (its instance is gone), so the group does not keep one consumer per replaced pod or container for ever. A consumer
    /// whose entries are still pending is kept until they are claimed (<see cref="ClaimIdleAfter"/>). The look and the
    /// delete are one atomic step, so nothing delivered is ever lost; a live instance deleted while it had nothing to read
    /// (Redis before 7.2 counts only deliveries as reads) is created again by its next delivery.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan ForgetConsumersAfter { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;
}

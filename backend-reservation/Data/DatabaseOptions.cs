using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Reservation.Data;

/// <summary>Bound from <c>Reservation:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Reservation:Database";

    /// <summary>How long start-up keeps retrying to reach PostgreSQL before the process gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Load the demo concert when the database has none.</summary>
    public bool SeedDemoData { get; set; } = true;
}

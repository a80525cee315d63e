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

    /// <summary>
    /// Seats of the demo performance (<see cref="DemoSeed"/>): 2,000 fill its four sections of 20 rows × 25 seats; a test
    /// stack seeds a few to sell out quickly. Applies when the demo is seeded, into an empty database.
    /// </summary>
    [Range(1, DemoSeed.MaxSeats)]
    public int DemoSeats { get; set; } = DemoSeed.DefaultSeats;

    /// <summary>
    /// How long <c>/readyz</c> waits for PostgreSQL to answer; below the probes' own timeout (2 s in compose.yaml), so an
    /// unreachable or hanging database reads as "not ready", never as a probe that timed out.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The <c>Retry-After</c> of the <c>503</c> answered while PostgreSQL is out of reach; whole seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);
}

using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Reservation.Holds;

/// <summary>Bound from <c>Reservation:Holds</c>.</summary>
public sealed class HoldOptions
{
    public const string SectionName = "Reservation:Holds";

    /// <summary>How long a hold keeps its seat before it lapses.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most seats one visitor may hold at once.</summary>
    [Range(1, 100)]
    public int MaxPerVisitor { get; set; } = 4;

    /// <summary>How often lapsed holds are marked expired in the background (reads already treat them as free).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(15);
}

using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Reservation.Inventory;

/// <summary>
/// Bound from <c>Reservation:Inventory</c>: what this backend tells the waiting room about the seats left. Responses carry
/// <c>X-WaitingRoom-Inventory</c> (the proxy gives it to the room of the route); without a response (holds expired or
/// released in the background, an operator's reset) the backend writes the remaining of <see cref="PerformanceId"/> to
/// <see cref="Room"/> itself.
/// </summary>
public sealed class InventoryOptions
{
    public const string SectionName = "Reservation:Inventory";

    /// <summary>Send the header and publish; off, the backend says nothing about its inventory.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The waiting room whose inventory the backend writes when seats come back without a response
    /// (appsettings.json: <c>concert</c>, the demo's room); none or empty, nothing is written but the header.
    /// </summary>
    [RegularExpression("^[a-z0-9-]{1,64}$", ErrorMessage = "Reservation:Inventory:Room must be a room name: 1-64 characters of [a-z0-9-].")]
    public string? Room { get; set; }

    /// <summary>
    /// The performance that <see cref="Room"/> sells; unset, the database's only performance (the demo's), and nothing is
    /// written while there are several.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int? PerformanceId { get; set; }
}

using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// Server → client: the room's inventory is known and nothing is left. Sent once per connection while it lasts; the place
/// is kept in case seats come back (then positions and the admission follow as usual).
/// </summary>
internal sealed record SoldOutMessage
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "soldout";

    /// <summary>The visitor keeps their place unless they leave.</summary>
    public bool KeepsPlace { get; } = true;
}

/// <summary>Server → client: seats came back after a sold-out spell this connection was told of; admission goes on in order.</summary>
internal sealed record RestockedMessage
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "restocked";
}

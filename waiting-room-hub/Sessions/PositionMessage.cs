using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// Server → client: the visitor's place (on connect and every push tick), with, for a place a scheduled sale's draw gave,
/// its public receipt.
/// </summary>
internal sealed record PositionMessage(
    long Position, double? EtaSeconds, bool QueueOn, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Receipt = null)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "position";
}

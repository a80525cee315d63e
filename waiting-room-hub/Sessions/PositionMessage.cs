using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>Server → client: the visitor's place (on connect and every push tick).</summary>
internal sealed record PositionMessage(long Position, double? EtaSeconds, bool QueueOn)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "position";
}

using System.Text.Json.Serialization;

namespace YarpWaitingRoom.SocketHub.Sessions;

/// <summary>Server → client: the visitor's place (on connect and every push tick).</summary>
public sealed record PositionMessage(long Position, double? EtaSeconds, bool QueueOn)
{
    [JsonPropertyOrder(-1)]
    public string Type => "position";
}

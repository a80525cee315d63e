using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>Server → client: the place is lost (<c>expired</c>, <c>abandoned</c> or <c>revoked</c>).</summary>
internal sealed record GoneMessage(string Reason)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "gone";
}

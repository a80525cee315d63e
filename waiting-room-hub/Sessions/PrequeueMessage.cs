using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// Server → client: the visitor waits in a scheduled sale's pre-queue, with no position until the draw at
/// <paramref name="StartsAt"/>; <paramref name="Receipt"/> is the public id of their place in it (on connect, before the
/// draw; again only if a push tick finds another start than the one told).
/// </summary>
internal sealed record PrequeueMessage(string Receipt, DateTimeOffset StartsAt)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "prequeue";
}

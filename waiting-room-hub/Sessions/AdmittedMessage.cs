using System.Text.Json.Serialization;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// Server → client: it is your turn; go to <paramref name="EnterUrl"/> (once per admission and connection). Only the
/// ticket's own visitor gets the link; any other connection for the ticket gets <c>{"type":"admitted"}</c> alone.
/// </summary>
internal sealed record AdmittedMessage([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EnterUrl)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "admitted";
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace YarpWaitingRoom.SocketHub.Sessions;

/// <summary>Server → client: the visitor's place (on connect and every push tick).</summary>
public sealed record PositionMessage(long Position, double? EtaSeconds, bool QueueOn)
{
    [JsonPropertyOrder(-1)]
    public string Type => "position";
}

/// <summary>
/// Server → client: it is your turn; go to <paramref name="EnterUrl"/> (once per admission and connection). Only the
/// ticket's own visitor gets the link; any other connection for the ticket gets <c>{"type":"admitted"}</c> alone.
/// </summary>
public sealed record AdmittedMessage([property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EnterUrl)
{
    [JsonPropertyOrder(-1)]
    public string Type => "admitted";
}

/// <summary>Server → client: the place is lost (<c>expired</c>, <c>abandoned</c> or <c>revoked</c>).</summary>
public sealed record GoneMessage(string Reason)
{
    [JsonPropertyOrder(-1)]
    public string Type => "gone";
}

/// <summary>Client → server. Only <c>{"type":"heartbeat"}</c> is defined.</summary>
public sealed record ClientMessage(string? Type);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PositionMessage))]
[JsonSerializable(typeof(AdmittedMessage))]
[JsonSerializable(typeof(GoneMessage))]
[JsonSerializable(typeof(ClientMessage))]
internal sealed partial class HubJsonContext : JsonSerializerContext;

/// <summary>Messages as the UTF-8 bytes that go on the wire.</summary>
internal static class HubMessages
{
    public static byte[] Position(long position, double? etaSeconds, bool queueOn) =>
        JsonSerializer.SerializeToUtf8Bytes(new PositionMessage(position, etaSeconds, queueOn), HubJsonContext.Default.PositionMessage);

    /// <summary><c>{"type":"admitted"}</c>: the admission, without the entry link (for connections not of the ticket's visitor).</summary>
    public static ReadOnlyMemory<byte> AdmittedWithoutLink { get; } = Admitted(null);

    public static byte[] Admitted(string? enterUrl) =>
        JsonSerializer.SerializeToUtf8Bytes(new AdmittedMessage(enterUrl), HubJsonContext.Default.AdmittedMessage);

    public static byte[] Gone(string reason) =>
        JsonSerializer.SerializeToUtf8Bytes(new GoneMessage(reason), HubJsonContext.Default.GoneMessage);

    /// <summary>True for exactly <c>{"type":"heartbeat"}</c> (other members are ignored); false for anything else.</summary>
    public static bool IsHeartbeat(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var message = JsonSerializer.Deserialize(utf8, HubJsonContext.Default.ClientMessage);
            return message?.Type == "heartbeat";
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

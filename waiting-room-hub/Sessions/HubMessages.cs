using System.Text.Json;

namespace YarpWaitingRoom.Hub.Sessions;

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

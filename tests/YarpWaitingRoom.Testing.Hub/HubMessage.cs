using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.Testing.Hub;

/// <summary>
/// One frame a hub sent, parsed once (<see cref="Parse"/>): its kind and the members of the hub's messages. A frame that
/// is not a message is <see cref="HubMessageKind.Invalid"/>, with the reason in <see cref="Fault"/> and its text.
/// </summary>
public sealed record HubMessage(HubMessageKind Kind, string? Type)
{
    public long? Position { get; init; }

    public double? EtaSeconds { get; init; }

    public bool? QueueOn { get; init; }

    public string? EnterUrl { get; init; }

    public string? Reason { get; init; }

    /// <summary>Why an <see cref="HubMessageKind.Invalid"/> frame is not a message (<c>malformed JSON</c>, <c>no 'type'</c>, …).</summary>
    public string? Fault { get; init; }

    /// <summary>The text of an <see cref="HubMessageKind.Invalid"/> frame (the start of it when oversized); null otherwise.</summary>
    public string? Text { get; init; }

    /// <summary>When the client received it: a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    public long ReceivedAt { get; init; }

    /// <summary>Reads one frame. Never throws: what is not a hub message comes back <see cref="HubMessageKind.Invalid"/>.</summary>
    public static HubMessage Parse(ReadOnlySpan<byte> utf8, long receivedAt = 0)
    {
        string fault;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (reader.Read() && reader.TokenType != JsonTokenType.StartObject)
            {
                fault = $"not a JSON object ({ValueKindOf(reader.TokenType)})";
            }
            else if (JsonSerializer.Deserialize(utf8, HubJsonContext.Default.HubFrame) is not { Type: { } type } frame)
            {
                fault = "no 'type'";
            }
            else
            {
                return new HubMessage(KindOf(type), type)
                {
                    Position = frame.Position,
                    EtaSeconds = frame.EtaSeconds,
                    QueueOn = frame.QueueOn,
                    EnterUrl = frame.EnterUrl,
                    Reason = frame.Reason,
                    ReceivedAt = receivedAt,
                };
            }
        }
        catch (JsonException)
        {
            fault = "malformed JSON";
        }

        return Invalid(fault, Encoding.UTF8.GetString(utf8), receivedAt);
    }

    /// <summary>A frame that is not a message.</summary>
    public static HubMessage Invalid(string fault, string text, long receivedAt = 0) =>
        new(HubMessageKind.Invalid, null) { Fault = fault, Text = text, ReceivedAt = receivedAt };

    /// <summary>The frame's text for an invalid one; the message as JSON otherwise (for failure messages and error tables).</summary>
    public override string ToString() =>
        Text ?? JsonSerializer.Serialize(new HubFrame(Type, Position, EtaSeconds, QueueOn, EnterUrl, Reason), HubJsonContext.Default.HubFrame);

    private static HubMessageKind KindOf(string type) => type switch
    {
        "position" => HubMessageKind.Position,
        "admitted" => HubMessageKind.Admitted,
        "gone" => HubMessageKind.Gone,
        _ => HubMessageKind.Other,
    };

    private static string ValueKindOf(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        JsonTokenType.True => nameof(JsonValueKind.True),
        JsonTokenType.False => nameof(JsonValueKind.False),
        _ => token.ToString(),
    };
}

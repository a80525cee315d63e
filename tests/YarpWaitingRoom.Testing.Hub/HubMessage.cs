using System.Buffers;
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

    /// <summary>The public id of the place in a scheduled sale's draw (prequeue, and position after the draw).</summary>
    public string? Receipt { get; init; }

    /// <summary>When the scheduled sale starts (prequeue).</summary>
    public DateTimeOffset? StartsAt { get; init; }

    /// <summary>Why an <see cref="HubMessageKind.Invalid"/> frame is not a message (<c>malformed JSON</c>, <c>no 'type'</c>, …).</summary>
    public string? Fault { get; init; }

    /// <summary>The text of an <see cref="HubMessageKind.Invalid"/> frame (the start of it when oversized); null otherwise.</summary>
    public string? Text { get; init; }

    /// <summary>When the client received it: a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    public long ReceivedAt { get; init; }

    /// <summary>
    /// Reads one frame with a <see cref="Utf8JsonReader"/> (the bench's thousands of clients allocate the message and
    /// nothing else for the known types). Never throws: what is not a hub message comes back <see cref="HubMessageKind.Invalid"/>.
    /// </summary>
    public static HubMessage Parse(ReadOnlySpan<byte> utf8, long receivedAt = 0)
    {
        string fault;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                fault = $"not a JSON object ({ValueKindOf(reader.TokenType)})";
            }
            else
            {
                var message = ReadObject(ref reader, receivedAt);
                if (message.Type is not null)
                {
                    return message;
                }

                fault = "no 'type'";
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            fault = "malformed JSON";
        }

        return Invalid(fault, Encoding.UTF8.GetString(utf8), receivedAt);
    }

    /// <summary>A frame that is not a message.</summary>
    public static HubMessage Invalid(string fault, string text, long receivedAt = 0) =>
        new(HubMessageKind.Invalid, null) { Fault = fault, Text = text, ReceivedAt = receivedAt };

    /// <summary>The frame's text for an invalid one; the message as JSON otherwise (for failure messages and error tables).</summary>
    public override string ToString()
    {
        if (Text is not null)
        {
            return Text;
        }

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("type", Type);
            Write(writer, "position", Position);
            Write(writer, "etaSeconds", EtaSeconds);
            if (QueueOn is { } queueOn)
            {
                writer.WriteBoolean("queueOn", queueOn);
            }

            if (EnterUrl is not null)
            {
                writer.WriteString("enterUrl", EnterUrl);
            }

            if (Reason is not null)
            {
                writer.WriteString("reason", Reason);
            }

            if (Receipt is not null)
            {
                writer.WriteString("receipt", Receipt);
            }

            if (StartsAt is { } startsAt)
            {
                writer.WriteString("startsAt", startsAt);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(json.WrittenSpan);
    }

    /// <summary>The members of the object the reader is at the start of; unknown members are skipped, a wrong kind of value is malformed.</summary>
    private static HubMessage ReadObject(ref Utf8JsonReader reader, long receivedAt)
    {
        string? type = null;
        long? position = null;
        double? etaSeconds = null;
        bool? queueOn = null;
        string? enterUrl = null;
        string? reason = null;
        string? receipt = null;
        DateTimeOffset? startsAt = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8) && reader.Read())
            {
                type = reader.TokenType == JsonTokenType.Null ? null
                    : reader.ValueTextEquals("position"u8) ? "position"
                    : reader.ValueTextEquals("admitted"u8) ? "admitted"
                    : reader.ValueTextEquals("gone"u8) ? "gone"
                    : reader.ValueTextEquals("prequeue"u8) ? "prequeue"
                    : reader.ValueTextEquals("soldout"u8) ? "soldout"
                    : reader.GetString();
            }
            else if (reader.ValueTextEquals("position"u8) && reader.Read())
            {
                position = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
            }
            else if (reader.ValueTextEquals("etaSeconds"u8) && reader.Read())
            {
                etaSeconds = reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble();
            }
            else if (reader.ValueTextEquals("queueOn"u8) && reader.Read())
            {
                queueOn = reader.TokenType == JsonTokenType.Null ? null : reader.GetBoolean();
            }
            else if (reader.ValueTextEquals("enterUrl"u8) && reader.Read())
            {
                enterUrl = reader.GetString();
            }
            else if (reader.ValueTextEquals("reason"u8) && reader.Read())
            {
                reason = reader.GetString();
            }
            else if (reader.ValueTextEquals("receipt"u8) && reader.Read())
            {
                receipt = reader.GetString();
            }
            else if (reader.ValueTextEquals("startsAt"u8) && reader.Read())
            {
                startsAt = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
            }
            else if (reader.Read())
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new JsonException("not one JSON object");
        }

        return new HubMessage(KindOf(type), type)
        {
            Position = position,
            EtaSeconds = etaSeconds,
            QueueOn = queueOn,
            EnterUrl = enterUrl,
            Reason = reason,
            Receipt = receipt,
            StartsAt = startsAt,
            ReceivedAt = receivedAt,
        };
    }

    private static void Write(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static HubMessageKind KindOf(string? type) => type switch
    {
        "position" => HubMessageKind.Position,
        "admitted" => HubMessageKind.Admitted,
        "gone" => HubMessageKind.Gone,
        "prequeue" => HubMessageKind.Prequeue,
        "soldout" => HubMessageKind.SoldOut,
        "restocked" => HubMessageKind.Restocked,
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

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// Messages as the UTF-8 bytes that go on the wire. The records (<see cref="PositionMessage"/> and the others) and
/// <see cref="HubJsonContext"/> define the format; the position, sent to every session every tick, is written by hand
/// into the same bytes (a test compares the two), and the heartbeat is read with a <see cref="Utf8JsonReader"/> by the
/// serializer's rules, neither allocating more than the message itself.
/// </summary>
internal static class HubMessages
{
    /// <summary>Longest position message: both prefixes, a long, a double in its shortest round-trip form, the suffix, a receipt.</summary>
    private const int MaxPositionLength = 160;

    private static ReadOnlySpan<byte> PositionStart => "{\"type\":\"position\",\"position\":"u8;

    private static ReadOnlySpan<byte> EtaName => ",\"etaSeconds\":"u8;

    private static ReadOnlySpan<byte> Null => "null"u8;

    private static ReadOnlySpan<byte> QueueOnTrue => ",\"queueOn\":true"u8;

    private static ReadOnlySpan<byte> QueueOnFalse => ",\"queueOn\":false"u8;

    private static ReadOnlySpan<byte> ReceiptName => ",\"receipt\":\""u8;

    private static ReadOnlySpan<byte> TypeName => "type"u8;

    private static ReadOnlySpan<byte> HeartbeatType => "heartbeat"u8;

    /// <summary>
    /// <c>{"type":"position","position":7,"etaSeconds":12.5,"queueOn":true}</c> (<c>null</c> for an unknown ETA), with
    /// <c>"receipt":"…"</c> last for a place a sale's draw gave (a receipt is 12 characters of Crockford's base32: nothing
    /// in it needs escaping; anything else is written by the serializer).
    /// </summary>
    public static byte[] Position(long position, double? etaSeconds, bool queueOn, string? receipt = null)
    {
        if ((etaSeconds is { } eta && !double.IsFinite(eta)) || (receipt is not null && !Scheduling.Receipts.IsValid(receipt)))
        {
            // The serializer refuses these (not JSON numbers); so does this, with its exception.
            return JsonSerializer.SerializeToUtf8Bytes(new PositionMessage(position, etaSeconds, queueOn, receipt), HubJsonContext.Default.PositionMessage);
        }

        Span<byte> buffer = stackalloc byte[MaxPositionLength];
        PositionStart.CopyTo(buffer);
        var length = PositionStart.Length;
        Utf8Formatter.TryFormat(position, buffer[length..], out var written);
        length += written;
        EtaName.CopyTo(buffer[length..]);
        length += EtaName.Length;
        if (etaSeconds is { } value)
        {
            // The serializer's own formatting of a double: the shortest string that round-trips, invariant culture.
            value.TryFormat(buffer[length..], out written, provider: CultureInfo.InvariantCulture);
            length += written;
        }
        else
        {
            Null.CopyTo(buffer[length..]);
            length += Null.Length;
        }

        var end = queueOn ? QueueOnTrue : QueueOnFalse;
        end.CopyTo(buffer[length..]);
        length += end.Length;
        if (receipt is not null)
        {
            ReceiptName.CopyTo(buffer[length..]);
            length += ReceiptName.Length;
            length += Encoding.ASCII.GetBytes(receipt, buffer[length..]);
            buffer[length++] = (byte)'"';
        }

        buffer[length++] = (byte)'}';
        return buffer[..length].ToArray();
    }

    /// <summary><c>{"type":"prequeue","receipt":"…","startsAt":"…"}</c>: held in a sale's pre-queue until its start.</summary>
    public static byte[] Prequeue(string receipt, DateTimeOffset startsAt) =>
        JsonSerializer.SerializeToUtf8Bytes(new PrequeueMessage(receipt, startsAt), HubJsonContext.Default.PrequeueMessage);

    /// <summary><c>{"type":"soldout","keepsPlace":true}</c>: nothing left to sell; the place is kept.</summary>
    public static ReadOnlyMemory<byte> SoldOut { get; } = JsonSerializer.SerializeToUtf8Bytes(new SoldOutMessage(), HubJsonContext.Default.SoldOutMessage);

    /// <summary><c>{"type":"restocked"}</c>: seats came back after the sold-out spell the connection was told of.</summary>
    public static ReadOnlyMemory<byte> Restocked { get; } = JsonSerializer.SerializeToUtf8Bytes(new RestockedMessage(), HubJsonContext.Default.RestockedMessage);

    /// <summary><c>{"type":"admitted"}</c>: the admission, without the entry link (for connections not of the ticket's visitor).</summary>
    public static ReadOnlyMemory<byte> AdmittedWithoutLink { get; } = Admitted(null);

    public static byte[] Admitted(string? enterUrl) =>
        JsonSerializer.SerializeToUtf8Bytes(new AdmittedMessage(enterUrl), HubJsonContext.Default.AdmittedMessage);

    public static byte[] Gone(string reason) =>
        JsonSerializer.SerializeToUtf8Bytes(new GoneMessage(reason), HubJsonContext.Default.GoneMessage);

    /// <summary>
    /// True for exactly <c>{"type":"heartbeat"}</c> (other members are ignored); false for anything else. The rules are
    /// the serializer's for <see cref="ClientMessage"/> with the web defaults: one JSON object and nothing after it, the
    /// member name matched ignoring case, the last <c>type</c> wins, <c>type</c> must be a string or null.
    /// </summary>
    public static bool IsHeartbeat(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            var heartbeat = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = IsTypeName(ref reader);
                if (!reader.Read())
                {
                    return false;
                }

                if (!isType)
                {
                    reader.Skip();
                    continue;
                }

                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        heartbeat = reader.ValueTextEquals(HeartbeatType);
                        if (!heartbeat)
                        {
                            // The serializer reads the string in full (invalid UTF-8 throws); only its verdict matters here.
                            _ = reader.GetString();
                        }

                        break;
                    case JsonTokenType.Null:
                        heartbeat = false;
                        break;
                    default:
                        return false;
                }
            }

            // The object closed; anything but whitespace after it is an error the next Read throws.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() && heartbeat;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The serializer matches member names ignoring case (web defaults), after unescaping.</summary>
    private static bool IsTypeName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            // A name with bytes outside ASCII cannot equal "type" ignoring case (no such letter folds to t, y, p or e).
            return Ascii.EqualsIgnoreCase(reader.ValueSpan, TypeName);
        }

        return string.Equals(reader.GetString(), "type", StringComparison.OrdinalIgnoreCase);
    }
}

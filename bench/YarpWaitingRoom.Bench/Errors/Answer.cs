using System.Globalization;
using System.Text.Json;

namespace YarpWaitingRoom.Bench.Errors;

/// <summary>
/// One answer a rehearsal step got (an HTTP response, or a WebSocket message), read whole, with the checks a step makes
/// before it uses it: every field it needs is there and of the right kind, or <see cref="UnexpectedAnswerException"/>
/// says what was not (step, status, problem type, a short excerpt). Nothing here throws anything else.
/// </summary>
internal sealed class Answer
{
    /// <summary>How much of a body the error table keeps as an example.</summary>
    public const int ExcerptLength = 200;

    private const string ProblemMediaType = "application/problem+json";

    private JsonElement? _json;

    public Answer(string step, int? status, string? mediaType, string body)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(body);
        Step = step;
        Status = status;
        MediaType = mediaType;
        Body = body;
    }

    public string Step { get; }

    /// <summary>The HTTP status; null for a WebSocket message.</summary>
    public int? Status { get; }

    public string? MediaType { get; }

    public string Body { get; }

    public bool IsProblem => string.Equals(MediaType, ProblemMediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>type</c> of a problem document; null when the body is not one (or has none).</summary>
    public string? ProblemType
    {
        get
        {
            if (!IsProblem || !TryParse(out var json) || json.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return json.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;
        }
    }

    /// <summary>The start of the body on one line, for the error table.</summary>
    public string Excerpt => ExcerptOf(Body);

    /// <summary>Reads a response's status, media type and body (a body that cannot be read is described instead).</summary>
    public static async Task<Answer> ReadAsync(string step, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            body = $"(body unreadable: {ex.GetType().Name}: {ex.Message})";
        }

        return new Answer(step, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    public static string ExcerptOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var excerpt = text.Length > ExcerptLength ? text[..ExcerptLength] + "…" : text;
        return excerpt.ReplaceLineEndings(" ").Trim();
    }

    /// <summary>This answer as an error: step, status, problem type (if any), <paramref name="reason"/> and an excerpt.</summary>
    public UnexpectedAnswerException Unexpected(string? reason = null) => new(Step, Status, ProblemType, reason, Excerpt);

    /// <summary>The body as JSON; a malformed body is an unexpected answer.</summary>
    public JsonElement Json() => TryParse(out var json) ? json : throw Unexpected("malformed JSON");

    /// <summary>The body as a JSON object.</summary>
    public JsonElement Object()
    {
        var json = Json();
        return json.ValueKind == JsonValueKind.Object ? json : throw Unexpected($"not a JSON object ({json.ValueKind})");
    }

    /// <summary>The body as a JSON array.</summary>
    public JsonElement Array()
    {
        var json = Json();
        return json.ValueKind == JsonValueKind.Array ? json : throw Unexpected($"not a JSON array ({json.ValueKind})");
    }

    public string String(JsonElement element, string name) =>
        Property(element, name, JsonValueKind.String).GetString() is { Length: > 0 } value ? value : throw Unexpected($"empty '{name}'");

    public int Int32(JsonElement element, string name) =>
        Property(element, name, JsonValueKind.Number).TryGetInt32(out var value) ? value : throw Unexpected($"'{name}' is not an int");

    public long Int64(JsonElement element, string name) =>
        Property(element, name, JsonValueKind.Number).TryGetInt64(out var value) ? value : throw Unexpected($"'{name}' is not an integer");

    public bool Boolean(JsonElement element, string name) =>
        Property(element, name).ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            var kind => throw Unexpected($"'{name}' is {kind}, not a boolean"),
        };

    public Guid Guid(JsonElement element, string name) =>
        Property(element, name, JsonValueKind.String).TryGetGuid(out var value) ? value : throw Unexpected($"'{name}' is not a GUID");

    /// <summary>A property that must be there, of any kind.</summary>
    public JsonElement Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Unexpected($"no '{name}' ({element.ValueKind}, not an object)");
        }

        return element.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined
            ? value
            : throw Unexpected($"no '{name}'");
    }

    private JsonElement Property(JsonElement element, string name, JsonValueKind kind)
    {
        var value = Property(element, name);
        return value.ValueKind == kind
            ? value
            : throw Unexpected(string.Create(CultureInfo.InvariantCulture, $"'{name}' is {value.ValueKind}, not {kind}"));
    }

    private bool TryParse(out JsonElement json)
    {
        if (_json is { } parsed)
        {
            json = parsed;
            return true;
        }

        try
        {
            // Deserialize<JsonElement> owns its memory (no pooled document to dispose).
            json = JsonSerializer.Deserialize<JsonElement>(Body);
            _json = json;
            return true;
        }
        catch (JsonException)
        {
            json = default;
            return false;
        }
    }
}

using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// A page's words in one language: an embedded <c>&lt;language&gt;.json</c>, one flat object of key → text. The server
/// renders its page from it and hands the same table to the page's script in the page's data, so the words the page
/// starts with and the words the script updates it with are never two copies. A page's files have the same keys and,
/// per key, the same <c>{placeholders}</c>; <see cref="Fill"/> fills them here, the script's <c>fill</c> there, by the
/// same rule. The hub's waiting page and the proxy's operator console each have their tables.
/// </summary>
internal sealed class TextTable
{
    private readonly FrozenDictionary<string, string> _texts;
    private readonly string _source;

    private TextTable(string language, string source, FrozenDictionary<string, string> texts) =>
        (Language, _source, _texts) = (language, source, texts);

    /// <summary><c>"ko"</c> or <c>"en"</c>.</summary>
    public string Language { get; }

    /// <summary>Every key and its text (unfilled), in no particular order.</summary>
    public IReadOnlyDictionary<string, string> All => _texts;

    /// <summary>The text of <paramref name="key"/>, its placeholders unfilled.</summary>
    public string this[string key] => _texts.TryGetValue(key, out var text)
        ? text
        : throw new KeyNotFoundException($"{_source} has no '{key}'.");

    /// <summary>Writes the whole table as the object property <paramref name="name"/> of a page's data block (the script's copy of the words).</summary>
    public void WriteTo(Utf8JsonWriter json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject(name);
        foreach (var (key, value) in _texts)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// The table of <paramref name="language"/>: the resource <paramref name="resourcePrefix"/> + <c>language.json</c>
    /// of <paramref name="assembly"/>, whose values must all be strings.
    /// </summary>
    public static TextTable Load(Assembly assembly, string resourcePrefix, string language)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourcePrefix);
        ArgumentException.ThrowIfNullOrEmpty(language);
        var resource = resourcePrefix + language + ".json";
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The texts '{resource}' are not embedded in {assembly.GetName().Name}.");
        using var document = JsonDocument.Parse(stream);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            texts.Add(property.Name, property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw new InvalidOperationException($"{resource}: '{property.Name}' is not a string."));
        }

        return new TextTable(language, resource, texts.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// <paramref name="template"/> with each <c>{name}</c> (letters, digits, <c>_</c>) replaced by its value; a placeholder
    /// without a value is left as it is. The pages' scripts' <c>fill</c> is the same function.
    /// </summary>
    public static string Fill(string template, params ReadOnlySpan<(string Name, string Value)> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        var filled = new StringBuilder(template.Length + 16);
        var rest = template.AsSpan();
        while (true)
        {
            var open = rest.IndexOf('{');
            if (open < 0)
            {
                return filled.Append(rest).ToString();
            }

            var length = NameLength(rest[(open + 1)..]);
            if (length < 0)
            {
                // A brace that opens no placeholder is text.
                filled.Append(rest[..(open + 1)]);
                rest = rest[(open + 1)..];
                continue;
            }

            var name = rest.Slice(open + 1, length);
            filled.Append(rest[..open]);
            if (Find(values, name) is { } value)
            {
                filled.Append(value);
            }
            else
            {
                filled.Append(rest.Slice(open, length + 2));
            }

            rest = rest[(open + length + 2)..];
        }
    }

    /// <summary>The length of the placeholder name that starts <paramref name="text"/> and is closed by <c>}</c>, or -1.</summary>
    private static int NameLength(ReadOnlySpan<char> text)
    {
        var length = 0;
        while (length < text.Length && (char.IsAsciiLetterOrDigit(text[length]) || text[length] == '_'))
        {
            length++;
        }

        return length > 0 && length < text.Length && text[length] == '}' ? length : -1;
    }

    private static string? Find(ReadOnlySpan<(string Name, string Value)> values, ReadOnlySpan<char> name)
    {
        foreach (var (candidate, value) in values)
        {
            if (name.SequenceEqual(candidate))
            {
                return value;
            }
        }

        return null;
    }
}

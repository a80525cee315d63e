using System.Collections.Frozen;
using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>
/// The waiting page's words in one language: <c>Page/Texts/&lt;language&gt;.json</c>, embedded in the hub, one flat
/// object of key → text. The server renders the page from it and hands the same table to <c>wait.js</c> in the page's
/// data, so the words the page starts with and the words the script updates it with are never two copies. Both files
/// have the same keys and, per key, the same <c>{placeholders}</c>; <see cref="Fill"/> fills them here, <c>fill</c> in
/// <c>wait.js</c> there, by the same rule.
/// </summary>
internal sealed class PageTexts
{
    private const string ResourcePrefix = "YarpWaitingRoom.Hub.Page.Texts.";

    private readonly FrozenDictionary<string, string> _texts;

    private PageTexts(string language, FrozenDictionary<string, string> texts) => (Language, _texts) = (language, texts);

    public static PageTexts Korean { get; } = Load(WaitingPage.Korean);

    public static PageTexts English { get; } = Load(WaitingPage.English);

    /// <summary><c>"ko"</c> or <c>"en"</c>.</summary>
    public string Language { get; }

    /// <summary>Every key and its text (unfilled), in no particular order.</summary>
    public IReadOnlyDictionary<string, string> All => _texts;

    /// <summary>The text of <paramref name="key"/>, its placeholders unfilled.</summary>
    public string this[string key] => _texts.TryGetValue(key, out var text)
        ? text
        : throw new KeyNotFoundException($"Page/Texts/{Language}.json has no '{key}'.");

    /// <summary>The table of <paramref name="language"/> (<c>"ko"</c>), English for anything else.</summary>
    public static PageTexts For(string language) => language == WaitingPage.Korean ? Korean : English;

    /// <summary>
    /// <paramref name="template"/> with each <c>{name}</c> (letters, digits, <c>_</c>) replaced by its value; a placeholder
    /// without a value is left as it is. <c>wait.js</c>'s <c>fill</c> is the same function.
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

    private static PageTexts Load(string language)
    {
        var resource = ResourcePrefix + language + ".json";
        using var stream = typeof(PageTexts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The waiting page's texts '{resource}' are not embedded in the hub.");
        using var document = JsonDocument.Parse(stream);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            texts.Add(property.Name, property.Value.ValueKind == JsonValueKind.String
                ? property.Value.GetString()!
                : throw new InvalidOperationException($"Page/Texts/{language}.json: '{property.Name}' is not a string."));
        }

        return new PageTexts(language, texts.ToFrozenDictionary(StringComparer.Ordinal));
    }
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// How the waiting room's server-rendered pages put values into markup: every value HTML-encoded (Hangul and typographic
/// punctuation stay readable in the source; <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, quotes always encoded), and the data
/// handed to a page's script written as JSON with HTML-sensitive characters escaped, so no value can close the
/// <c>&lt;script&gt;</c> element that holds it.
/// </summary>
internal static class PageEncoding
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(
        UnicodeRanges.BasicLatin, UnicodeRanges.GeneralPunctuation, UnicodeRanges.HangulSyllables);

    /// <summary>
    /// The options of a <see cref="Utf8JsonWriter"/> that writes a page's data block. Not HTML-encoded on purpose: a
    /// <c>&lt;script&gt;</c> element's text is not entity-decoded. <see cref="JavaScriptEncoder.Default"/> escapes
    /// <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>, quotes and non-ASCII, so <c>&lt;/script&gt;</c> or <c>&lt;!--</c> can never
    /// appear in the output.
    /// </summary>
    public static JsonWriterOptions DataBlock { get; } = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary><paramref name="value"/> HTML-encoded, for text and attribute values alike.</summary>
    public static string Html(string value) => Encoder.Encode(value);
}

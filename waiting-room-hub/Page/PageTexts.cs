using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>
/// The waiting page's words: <c>Page/Texts/&lt;language&gt;.json</c>, embedded in the hub, one <see cref="TextTable"/>
/// per language. The server renders the page from it and hands the same table to <c>wait.js</c> in the page's data.
/// </summary>
internal static class PageTexts
{
    private const string ResourcePrefix = "YarpWaitingRoom.Hub.Page.Texts.";

    public static TextTable Korean { get; } = TextTable.Load(typeof(PageTexts).Assembly, ResourcePrefix, PageLanguages.Korean);

    public static TextTable English { get; } = TextTable.Load(typeof(PageTexts).Assembly, ResourcePrefix, PageLanguages.English);

    /// <summary>The table of <paramref name="language"/> (<c>"ko"</c>), English for anything else.</summary>
    public static TextTable For(string language) => language == PageLanguages.Korean ? Korean : English;

    /// <inheritdoc cref="TextTable.Fill"/>
    public static string Fill(string template, params ReadOnlySpan<(string Name, string Value)> values) => TextTable.Fill(template, values);
}

using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// The operator console's words: <c>Console/Texts/&lt;language&gt;.json</c>, embedded in the package, one
/// <see cref="TextTable"/> per language. <see cref="ConsolePage"/> renders from it and hands the whole table to
/// <c>console.js</c> in the page's data, so the script holds no words of its own.
/// </summary>
internal static class ConsoleTexts
{
    private const string ResourcePrefix = "YarpWaitingRoom.Yarp.Console.Texts.";

    public static TextTable Korean { get; } = TextTable.Load(typeof(ConsoleTexts).Assembly, ResourcePrefix, PageLanguages.Korean);

    public static TextTable English { get; } = TextTable.Load(typeof(ConsoleTexts).Assembly, ResourcePrefix, PageLanguages.English);

    /// <summary>The table of <paramref name="language"/> (<c>"ko"</c>), English for anything else.</summary>
    public static TextTable For(string? language) => language == PageLanguages.Korean ? Korean : English;
}

using System.Globalization;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// The languages of the pages the waiting room serves (the hub's waiting page, the proxy's operator console): Korean and
/// English, picked from the query's <c>lang=</c>, then a cookie, then the Accept-Language header.
/// </summary>
internal static class PageLanguages
{
    /// <summary>Korean.</summary>
    public const string Korean = "ko";

    /// <summary>English, also the language when nothing asks for another.</summary>
    public const string English = "en";

    /// <summary>The query parameter that picks the language: <c>lang</c>.</summary>
    public const string QueryParameter = "lang";

    private const string QualityParameter = "q";

    /// <summary>
    /// The page's language: <paramref name="query"/> (<c>lang=</c>) wins, then <paramref name="cookie"/>, then the first
    /// of Korean and English by <paramref name="acceptLanguage"/> quality; English otherwise.
    /// </summary>
    public static string Pick(string? query, string? cookie, string? acceptLanguage) =>
        Supported(query) ?? Supported(cookie) ?? FromAcceptLanguage(acceptLanguage) ?? English;

    /// <summary><c>"ko"</c> for ko, KO, ko-KR…, <c>"en"</c> for en, en-US…, otherwise <see langword="null"/>.</summary>
    public static string? Supported(ReadOnlySpan<char> tag)
    {
        tag = tag.Trim();
        var end = tag.IndexOfAny('-', '_');
        var primary = end < 0 ? tag : tag[..end];
        return primary.Equals(Korean, StringComparison.OrdinalIgnoreCase) ? Korean
            : primary.Equals(English, StringComparison.OrdinalIgnoreCase) ? English
            : null;
    }

    private static string? FromAcceptLanguage(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        string? best = null;
        var bestQuality = 0d;
        var ranges = header.AsSpan();
        foreach (var range in ranges.Split(','))
        {
            var item = ranges[range];
            var parameters = item.IndexOf(';');
            var language = Supported(parameters < 0 ? item : item[..parameters]);
            if (language is null)
            {
                continue;
            }

            var quality = parameters < 0 ? 1d : Quality(item[(parameters + 1)..]);
            if (quality > bestQuality)
            {
                (best, bestQuality) = (language, quality);
            }
        }

        return best;
    }

    /// <summary>The <c>q</c> weight of one Accept-Language range (1 when absent, 0 when malformed, which drops the range).</summary>
    private static double Quality(ReadOnlySpan<char> parameters)
    {
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim();
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim().Equals(QualityParameter, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            return double.TryParse(parameter[(equals + 1)..].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var quality)
                ? Math.Clamp(quality, 0d, 1d)
                : 0d;
        }

        return 1d;
    }
}

using System.Text.RegularExpressions;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>Reading a rendered page's elements by id, as the page tests check them.</summary>
internal static class PageHtml
{
    /// <summary>The inner HTML of the element with <paramref name="id"/> (no element of the same name nested in it).</summary>
    public static string Element(string html, string id)
    {
        var match = Regex.Match(html, $"""<(?<tag>[a-z0-9]+)[^>]* id="{Regex.Escape(id)}"[^>]*>(?<inner>.*?)</\k<tag>>""", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        Assert.True(match.Success, $"no element #{id}");
        return match.Groups["inner"].Value;
    }

    /// <summary>The opening tag of the element with <paramref name="id"/>, attributes and all.</summary>
    public static string OpeningTag(string html, string id)
    {
        var match = Regex.Match(html, $"""<[a-z0-9]+[^>]* id="{Regex.Escape(id)}"[^>]*>""", RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(match.Success, $"no element #{id}");
        return match.Value;
    }
}

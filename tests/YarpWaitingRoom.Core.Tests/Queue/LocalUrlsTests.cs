using System.Text.RegularExpressions;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Tests.Queue;

public sealed class LocalUrlsTests
{
    public static TheoryData<string> Local =>
    [
        "/",
        "/api/concerts",
        "/api/echo?x=1&y=%2F%2Fevil.example#frag",
        "/a/b/../c",
        "/%09/evil.example",
        "/%2F/evil.example",
        "/%5Cevil.example",
        "/caf%C3%A9",
        "/a//b",
        "/:@!$&'()*+,;=-._~[]{}|^`\"<>",
        "/" + new string('a', LocalUrls.MaxLength - 1),
    ];

    public static TheoryData<string> NotLocal =>
    [
        string.Empty,
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "/a\\b",
        "https://evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "evil.example",
        "api/echo",
        " /api",
        "\t/api",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\r\nSet-Cookie: x=1",
        "/\0/evil.example",
        "/\v/evil.example",
        "/\f/evil.example",
        "/\u001B/evil.example",
        "/\u007F/evil.example",
        "/\u0085/evil.example",
        "/\u009B/evil.example",
        "/\u00A0/evil.example",
        "/\u1680/evil.example",
        "/\u2000/evil.example",
        "/\u2028/evil.example",
        "/\u2029/evil.example",
        "/\u202F/evil.example",
        "/\u3000/evil.example",
        "/\uFEFF/evil.example",
        "/a b",
        "/api/echo\t",
        "/api/echo ",
        "/café",
        "/\uFF0F/evil.example",
        "/" + new string('a', LocalUrls.MaxLength),
    ];

    [Theory]
    [MemberData(nameof(Local))]
    public void IsLocal_PathOfThisSite_IsAccepted(string url) => Assert.True(LocalUrls.IsLocal(url));

    [Theory]
    [InlineData(null)]
    [MemberData(nameof(NotLocal))]
    public void IsLocal_AnythingABrowserCouldResolveElsewhere_IsRefused(string? url) => Assert.False(LocalUrls.IsLocal(url));

    [Theory]
    [MemberData(nameof(Local))]
    [MemberData(nameof(NotLocal))]
    public void Pattern_TheWaitingPagesCopyOfTheRule_AgreesWithIsLocal(string url)
    {
        var pattern = new Regex(LocalUrls.Pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant);

        Assert.Equal(LocalUrls.IsLocal(url), pattern.IsMatch(url));
    }

    [Fact]
    public void Pattern_AcceptsEveryAllowedCharacter_AndNoOther()
    {
        var pattern = new Regex(LocalUrls.Pattern, RegexOptions.ECMAScript | RegexOptions.CultureInvariant);
        for (var c = '\0'; c < '\u0100'; c++)
        {
            var url = "/a" + c;
            Assert.True(LocalUrls.IsLocal(url) == pattern.IsMatch(url), $"U+{(int)c:X4}");
            Assert.Equal(c is >= '!' and <= '~' and not '\\', LocalUrls.IsLocal(url));
        }
    }
}

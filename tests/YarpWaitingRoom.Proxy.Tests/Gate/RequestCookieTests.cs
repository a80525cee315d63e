using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using YarpWaitingRoom.Yarp.Gate;

namespace YarpWaitingRoom.Proxy.Tests.Gate;

/// <summary>The gate reads its cookies from the Cookie header itself: it must find what ASP.NET Core's cookie collection finds.</summary>
public sealed class RequestCookieTests
{
    private const string Name = "wr_vid";

    public static TheoryData<string[]> Headers() => new(
        [],
        ["a=1"],
        ["wr_vid=k1.cGF5bG9hZA.c2ln"],
        ["a=1; wr_vid=k1.cGF5bG9hZA.c2ln; b=2"],
        ["a=1;wr_vid=k1.cGF5bG9hZA.c2ln;b=2"],
        ["a=1,  wr_vid=k1.cGF5bG9hZA.c2ln , b=2"],
        ["a=1; wr_vid=k1.cGF5bG9hZA.c2ln , b=2"],
        ["a=1;   wr_vid=k1.cGF5bG9hZA.c2ln\t; b=2"],
        ["wr_vid=first; wr_vid=second"],
        ["WR_VID=upper"],
        ["wr_vid2=other; xwr_vid=other; wr_vi=other"],
        ["wr_vid="],
        ["wr_vid=; wr_vid=kept"],
        ["wr_vid=kept; wr_vid="],
        ["wr_vid=\"quoted\""],
        ["wr_vid=k1%2Eescaped"],
        ["wr_vid=has space; b=2"],
        ["a=1", "wr_vid=in-the-second-header"],
        ["wr_vid=in-the-first", "wr_vid=in-the-second"],
        ["; ; wr_vid=after-empty-pairs;"],
        ["wr_vid"]);

    [Theory]
    [MemberData(nameof(Headers))]
    public void Find_AnyCookieHeader_FindsWhatTheRequestsCookieCollectionFinds(string[] header)
    {
        var expected = Request(header).Cookies[Name] ?? string.Empty;

        var found = RequestCookie.Find(Request(header), Name).ToString();

        Assert.Equal(expected, found);
    }

    private static HttpRequest Request(string[] header)
    {
        var context = new DefaultHttpContext();
        if (header.Length > 0)
        {
            context.Request.Headers.Cookie = new StringValues(header);
        }

        return context.Request;
    }
}

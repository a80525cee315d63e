using Microsoft.AspNetCore.Http;
using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Yarp.Console;

namespace YarpWaitingRoom.Proxy.Tests.Console;

/// <summary>
/// <see cref="EmbeddedAssets"/> as the console serves its files (<see cref="ConsoleAssets"/>): a strong ETag and five
/// minutes of caching, 304 when the ETag matches, 404 for other names, HEAD without a body.
/// </summary>
public sealed class EmbeddedAssetsTests
{
    private static readonly ConsoleAssets Sut = new();

    [Fact]
    public void ConsoleAssets_AreTheScriptAndTheStyleSheet()
    {
        Assert.Equal(["console.css", "console.js"], Sut.Names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("console.js", "text/javascript; charset=utf-8")]
    [InlineData("console.css", "text/css; charset=utf-8")]
    public async Task Get_OfAnAsset_Is200WithItsBytesTypeStrongETagAndFiveMinutesOfCaching(string file, string contentType)
    {
        var context = Request(HttpMethods.Get, file);

        await Sut.ServeAsync(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(contentType, context.Response.ContentType);
        Assert.Equal("public, max-age=300", context.Response.Headers.CacheControl.ToString());
        Assert.Matches("^\"[0-9a-f]{32}\"$", context.Response.Headers.ETag.ToString());
        var body = ((MemoryStream)context.Response.Body).ToArray();
        Assert.NotEmpty(body);
        Assert.Equal(body.Length, context.Response.ContentLength);
    }

    [Fact]
    public async Task Get_WithTheAssetsETag_Is304WithoutABody()
    {
        var first = Request(HttpMethods.Get, "console.js");
        await Sut.ServeAsync(first);
        var etag = first.Response.Headers.ETag.ToString();
        var again = Request(HttpMethods.Get, "console.js");
        again.Request.Headers.IfNoneMatch = etag;

        await Sut.ServeAsync(again);

        Assert.Equal(StatusCodes.Status304NotModified, again.Response.StatusCode);
        Assert.Equal(etag, again.Response.Headers.ETag.ToString());
        Assert.Equal(0, again.Response.Body.Length);
    }

    [Fact]
    public async Task Get_WithAnotherETag_Is200()
    {
        var context = Request(HttpMethods.Get, "console.css");
        context.Request.Headers.IfNoneMatch = "\"0000\"";

        await Sut.ServeAsync(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.NotEqual(0, context.Response.Body.Length);
    }

    [Theory]
    [InlineData("wait.js")]
    [InlineData("en.json")]
    [InlineData("../console.js")]
    [InlineData("Console.js")]
    [InlineData(null)]
    public async Task Get_OfAnyOtherName_Is404(string? file)
    {
        var context = Request(HttpMethods.Get, file);

        await Sut.ServeAsync(context);

        Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Body.Length);
    }

    [Fact]
    public async Task Head_OfAnAsset_HasTheHeadersAndLengthButNoBody()
    {
        var get = Request(HttpMethods.Get, "console.js");
        await Sut.ServeAsync(get);
        var head = Request(HttpMethods.Head, "console.js");

        await Sut.ServeAsync(head);

        Assert.Equal(StatusCodes.Status200OK, head.Response.StatusCode);
        Assert.Equal(get.Response.ContentLength, head.Response.ContentLength);
        Assert.Equal(get.Response.Headers.ETag.ToString(), head.Response.Headers.ETag.ToString());
        Assert.Equal(0, head.Response.Body.Length);
    }

    [Fact]
    public void EmbeddedAssets_ServeOnlyScriptsAndStyleSheetsUnderTheirPrefix()
    {
        var sut = new EmbeddedAssets(typeof(ConsoleAssets).Assembly, "YarpWaitingRoom.Yarp.Console.");

        Assert.All(sut.Names, name => Assert.True(name.EndsWith(".js", StringComparison.Ordinal) || name.EndsWith(".css", StringComparison.Ordinal), name));
        Assert.Contains("Assets.console.js", sut.Names);
        Assert.Null(sut.ETagOf("Texts.en.json"));
    }

    private static DefaultHttpContext Request(string method, string? file)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (file is not null)
        {
            context.Request.RouteValues[EmbeddedAssets.FileRouteValue] = file;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }
}

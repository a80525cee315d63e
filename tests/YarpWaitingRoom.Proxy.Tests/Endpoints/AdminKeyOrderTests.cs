using System.Globalization;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>
/// The admin key is checked before anything else of the request is looked at: no body is read or parsed without it.
/// Raw sockets to the proxy on a real port, so a body can be declared and held back.
/// </summary>
public sealed class AdminKeyOrderTests(LoopbackProxy proxy) : IClassFixture<LoopbackProxy>
{
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("{\"mode\":", "application/json")]
    [InlineData("not json at all", "application/json")]
    [InlineData("{\"mode\":\"On\"}", "text/plain")]
    [InlineData("mode=On", "application/x-www-form-urlencoded")]
    [InlineData("", null)]
    public async Task SetMode_WithoutKey_AnyBody_Answers401(string body, string? contentType)
    {
        var response = await ExchangeAsync(Put(body.Length, contentType) + body);

        Assert.True(response.Status == 401, response.ToString());
        Assert.Contains("urn:yarp-waiting-room:problem:admin-key", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task AdminPath_WithoutKey_WrongMethod_Answers401(string method)
    {
        var response = await ExchangeAsync(Put(0, null).Replace("PUT ", method + " ", StringComparison.Ordinal));

        Assert.True(response.Status == 401, response.ToString());
    }

    [Fact]
    public async Task SetMode_WithoutKey_Answers401WhileAnEightMegabyteBodyIsHeldBack()
    {
        await using var connection = await RawHttpConnection.OpenAsync(proxy.Address, Cancellation);
        // 8 MiB declared, 1 KiB sent, the rest never: a server that reads the body before the key never answers 401.
        await connection.SendAsync(Put(8 * 1024 * 1024, "application/json") + "{\"mode\":\"On\"," + new string(' ', 1024), Cancellation);

        var response = await connection.ReadResponseAsync(ResponseTimeout, Cancellation);

        Assert.True(response.Status == 401, response.ToString());
    }

    private string Put(long contentLength, string? contentType) =>
        $"PUT /_wr/admin/rooms/{proxy.App.Room}/mode HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        + (contentType is null ? string.Empty : $"Content-Type: {contentType}\r\n")
        + $"Content-Length: {contentLength.ToString(CultureInfo.InvariantCulture)}\r\n\r\n";

    private async Task<RawResponse> ExchangeAsync(string request)
    {
        await using var connection = await RawHttpConnection.OpenAsync(proxy.Address, Cancellation);
        await connection.SendAsync(request, Cancellation);
        return await connection.ReadResponseAsync(ResponseTimeout, Cancellation);
    }
}

using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;
using static YarpWaitingRoom.Proxy.Tests.RawHttpConnection;

namespace YarpWaitingRoom.Proxy.Tests.Forwarding;

/// <summary>
/// Nothing a client sends may turn into a 5xx from the proxy: the edge counts a proxy's 502/504 as the proxy failing, so a
/// client that could cause them could take the proxies out of the edge for everyone. Each request here goes over a raw
/// socket, byte for byte, to an admitted route (the queue is off, so every visitor is admitted on the spot).
/// </summary>
public sealed class ClientInputTests(LoopbackProxy proxy) : IClassFixture<LoopbackProxy>
{
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Header lines that carry a character the forwarder (or HTTP/1.1) cannot carry.</summary>
    private static readonly Dictionary<string, string> UnforwardableHeaders = new()
    {
        ["non-ASCII value (UTF-8)"] = "X-Note: " + Utf8("café"),
        ["non-ASCII cookie (UTF-8)"] = "Cookie: note=" + Utf8("café"),
        ["non-ASCII user agent (UTF-8)"] = "User-Agent: " + Utf8("브라우저 1.0"),
        ["C1 control NEL (UTF-8)"] = "X-Note: a" + Utf8("\u0085") + "b",
        ["line separator U+2028 (UTF-8)"] = "X-Note: a" + Utf8("\u2028") + "b",
        ["ideographic space U+3000 (UTF-8)"] = "X-Note: a" + Utf8("\u3000") + "b",
        ["no-break space U+00A0 (UTF-8)"] = "X-Note: a" + Utf8("\u00A0") + "b",
        ["control SOH"] = "X-Note: a\u0001b",
        ["control VT"] = "X-Note: a\u000Bb",
        ["control FF"] = "X-Note: a\u000Cb",
        ["control ESC"] = "X-Note: a\u001Bb",
        ["DEL"] = "X-Note: a\u007Fb",
    };

    public static TheoryData<string> UnforwardableHeaderCases => [.. UnforwardableHeaders.Keys];

    /// <summary>Everything else a client controls: methods, targets, header sizes, Expect, body framing, HTTP/1.0.</summary>
    private static readonly Dictionary<string, string> OtherInputs = new()
    {
        ["unknown method FOO"] = Request("FOO /api/echo HTTP/1.1"),
        ["TRACE"] = Request("TRACE /api/echo HTTP/1.1"),
        ["CONNECT"] = "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\nConnection: close\r\n\r\n",
        ["OPTIONS *"] = "OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        ["HTTP/1.0 without Host"] = "GET /api/echo HTTP/1.0\r\nAccept: application/json\r\n\r\n",
        ["non-ASCII path (raw UTF-8)"] = Request("GET /api/" + Utf8("café") + " HTTP/1.1"),
        ["non-ASCII query (raw UTF-8)"] = Request("GET /api/echo?q=" + Utf8("café") + " HTTP/1.1"),
        ["control character in the query"] = Request("GET /api/echo?q=a\u0001b HTTP/1.1"),
        ["encoded NUL and CR LF in the path"] = Request("GET /api/%00%0D%0Aecho HTTP/1.1"),
        ["non-ASCII byte (Latin-1)"] = Request("GET /api/echo HTTP/1.1", "X-Note: caf\u00E9"),
        ["NUL in a header value"] = Request("GET /api/echo HTTP/1.1", "X-Note: a\0b"),
        ["space in a header name"] = Request("GET /api/echo HTTP/1.1", "X Note: a"),
        ["non-ASCII header name"] = Request("GET /api/echo HTTP/1.1", Utf8("X-Noté") + ": a"),
        ["non-ASCII Host"] = "GET /api/echo HTTP/1.1\r\nHost: " + Utf8("café.example") + "\r\nConnection: close\r\n\r\n",
        ["64 KiB header"] = Request("GET /api/echo HTTP/1.1", "X-Big: " + new string('a', 64 * 1024)),
        ["200 headers"] = Request("GET /api/echo HTTP/1.1", [.. Enumerable.Range(0, 200).Select(i => $"X-H{i}: {i}")]),
        ["16 KiB target"] = Request("GET /api/echo?q=" + new string('a', 16 * 1024) + " HTTP/1.1"),
        ["Expect: 100-continue"] = Request("POST /api/upload HTTP/1.1", "Expect: 100-continue", "Content-Length: 5") + "hello",
        ["Expect: an unknown expectation"] = Request("POST /api/upload HTTP/1.1", "Expect: something-else", "Content-Length: 5") + "hello",
        ["chunked body with bad framing"] = Request("POST /api/upload HTTP/1.1", "Transfer-Encoding: chunked") + "zz\r\nhello\r\n0\r\n\r\n",
        // A client that stops sending: Kestrel's minimum body data rate ends it (408). One that half-closes its socket has
        // no case here: Kestrel takes that for a closed connection and has nobody to answer; nginx never does that.
        ["body that stops half way"] = Request("POST /api/upload HTTP/1.1", "Content-Length: 100") + "0123456789",
        ["Content-Length and Transfer-Encoding"] = Request("POST /api/upload HTTP/1.1", "Content-Length: 3", "Transfer-Encoding: chunked") + "5\r\nhello\r\n0\r\n\r\n",
        ["invalid Content-Length"] = Request("POST /api/upload HTTP/1.1", "Content-Length: -1") + "x",
        ["two different Content-Lengths"] = Request("POST /api/upload HTTP/1.1", "Content-Length: 5", "Content-Length: 6") + "hello!",
        ["unknown Transfer-Encoding"] = Request("POST /api/upload HTTP/1.1", "Transfer-Encoding: gzip") + "hello",
        ["body on a GET"] = Request("GET /api/echo HTTP/1.1", "Content-Length: 5") + "hello",
    };

    public static TheoryData<string> OtherInputCases => [.. OtherInputs.Keys];

    [Theory]
    [MemberData(nameof(UnforwardableHeaderCases))]
    public async Task Proxy_HeaderItCannotForward_Answers400NamingTheHeader(string name)
    {
        var line = UnforwardableHeaders[name];
        var response = await ExchangeAsync(Request("GET /api/echo HTTP/1.1", line));

        Assert.True(response.Status == 400, $"{name}: {response}");
        Assert.Contains("urn:yarp-waiting-room:problem:invalid-header", response.Body, StringComparison.Ordinal);
        Assert.Contains(line[..line.IndexOf(':', StringComparison.Ordinal)], response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_HeaderOfVisibleAsciiSpacesAndTabs_IsForwarded()
    {
        var response = await ExchangeAsync(Request("GET /api/echo HTTP/1.1", "X-Note: a\tb c ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"));

        Assert.True(response.Status == 200, response.ToString());
    }

    [Theory]
    [MemberData(nameof(OtherInputCases))]
    public async Task Proxy_AnyOtherClientInput_NeverAnswers5xx(string name)
    {
        var response = await ExchangeAsync(OtherInputs[name]);
        TestContext.Current.TestOutputHelper?.WriteLine($"{name}: {response.Status}");

        // 0: the server closed without an answer, which nginx would count as a failure too.
        Assert.True(response.Status is >= 200 and < 500, $"{name}: {response}");
    }

    [Fact]
    public async Task Proxy_AfterHostileRequests_StillForwards()
    {
        foreach (var line in UnforwardableHeaders.Values)
        {
            await ExchangeAsync(Request("GET /api/echo HTTP/1.1", line));
        }

        var response = await ExchangeAsync(Request("GET /api/echo HTTP/1.1"));
        Assert.True(response.Status == 200, response.ToString());
    }

    private async Task<RawResponse> ExchangeAsync(string request)
    {
        await using var connection = await OpenAsync(proxy.Address, Cancellation);
        await connection.SendAsync(request, Cancellation);

        return await connection.ReadResponseAsync(ResponseTimeout, Cancellation);
    }

    /// <summary>A request head: the request line, Host, Accept JSON, Connection: close, then <paramref name="headers"/>.</summary>
    private static string Request(string requestLine, params string[] headers) =>
        requestLine + "\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n"
        + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";
}

using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using YarpWaitingRoom.Bench.Errors;
using YarpWaitingRoom.Bench.Scenarios;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Tests.Scenarios;

/// <summary>
/// A visitor against a stub site that answers what the real stack should not: every such answer is one error of a
/// named kind with an example, the visitor's outcome is <see cref="JourneyOutcome.Error"/>, and nothing is thrown.
/// </summary>
public sealed class JourneyVisitorTests
{
    private const string Json = "application/json";
    private const string Problem = "application/problem+json";
    private const string HoldId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task VisitAsync_EveryAnswerAsExpected_Purchases()
    {
        await using var site = await StubSite.StartAsync(app => MapShop(app), TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Purchased, result.Outcome);
        Assert.Equal(2, result.FreeSeats);
        Assert.Equal(0, errors.Total);
    }

    [Fact]
    public async Task VisitAsync_QueuedAnswerWithoutWsUrl_CountsAnErrorAndReturns()
    {
        // The rehearsal that died: a 503 read as "queued" whose body had no wsUrl (KeyNotFoundException in GetProperty).
        await using var site = await StubSite.StartAsync(
            app => app.MapGet(JourneyVisitor.GatedPath, context => StubSite.AnswerAsync(context, 503, Json, """{"room":"concert","position":3}""")),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        var error = Assert.Single(errors.Top(10));
        Assert.Equal("join 503 no 'wsUrl'", error.Kind);
        Assert.Equal("""{"room":"concert","position":3}""", error.Example);
    }

    [Theory]
    [InlineData(500, Problem, """{"type":"urn:test:boom","title":"Boom"}""", "join 500 urn:test:boom")]
    [InlineData(502, "text/html", "<html><body>502 Bad Gateway</body></html>", "join 502")]
    [InlineData(503, Problem, """{"type":"urn:test:busy"}""", "join 503 urn:test:busy")]
    [InlineData(200, Json, "not json at all", "seats 200 malformed JSON")]
    public async Task VisitAsync_UnexpectedJoinOrSeatsAnswer_CountsItsKind(int status, string contentType, string body, string kind)
    {
        await using var site = await StubSite.StartAsync(
            app =>
            {
                app.MapGet(JourneyVisitor.GatedPath, context => StubSite.AnswerAsync(context, status, contentType, body));
                app.MapGet(JourneyVisitor.SeatsPath, context => StubSite.AnswerAsync(context, 200, Json, body));
            },
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal(kind, Assert.Single(errors.Top(10)).Kind);
    }

    [Theory]
    [InlineData("""[{"id":1}]""", "seats 200 no 'status'")]
    [InlineData("""[{"id":"one","status":"available"}]""", "seats 200 'id' is String, not Number")]
    [InlineData("""{"seats":[]}""", "seats 200 not a JSON array (Object)")]
    public async Task VisitAsync_SeatListWithoutExpectedFields_CountsItsKind(string seats, string kind)
    {
        await using var site = await StubSite.StartAsync(app => MapShop(app, seats: seats), TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal(kind, Assert.Single(errors.Top(10)).Kind);
    }

    [Fact]
    public async Task VisitAsync_HoldWithoutId_CountsAnError()
    {
        await using var site = await StubSite.StartAsync(app => MapShop(app, hold: """{"seatId":1}"""), TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal("hold 201 no 'id'", Assert.Single(errors.Top(10)).Kind);
    }

    [Fact]
    public async Task VisitAsync_ConfirmRefusedWithAProblem_CountsItsType()
    {
        await using var site = await StubSite.StartAsync(
            app => MapShop(app, confirm: context => StubSite.AnswerAsync(context, 410, Problem, """{"type":"urn:yarp-waiting-room:problem:hold-expired"}""")),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal("confirm 410 urn:yarp-waiting-room:problem:hold-expired", Assert.Single(errors.Top(10)).Kind);
    }

    [Fact]
    public async Task VisitAsync_BusyOnceThenQueueOff_RetriesAfterRetryAfterAndPurchases()
    {
        var joins = 0;
        await using var site = await StubSite.StartAsync(
            app => MapShop(app, join: context => Interlocked.Increment(ref joins) == 1
                ? StubSite.AnswerAsync(context, 503, Problem, """{"type":"urn:yarp-waiting-room:problem:busy"}""", retryAfter: "1")
                : StubSite.AnswerAsync(context, 200, Json, "[]")),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Purchased, result.Outcome);
        Assert.Equal(1, sut.BusyRetries);
        Assert.Equal(0, errors.Total);
    }

    public static TheoryData<string, string> MalformedWebSocketMessages => new()
    {
        { """{"type":"admitted"}""", "ws no 'enterUrl'" },
        { """{"kind":"admitted"}""", "ws no 'type'" },
        { "admitted!", "ws malformed JSON" },
        { "{\"type\":\"admitted\",\"pad\":\"" + new string('x', HubClient.MaxMessageBytes) + "\"}", "ws oversized message" },
    };

    [Theory]
    [MemberData(nameof(MalformedWebSocketMessages))]
    public async Task VisitAsync_MalformedWebSocketMessage_CountsItsKind(string message, string kind)
    {
        await using var site = await StubSite.StartAsync(
            app => MapShop(app, ws: async socket =>
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"position","position":1}"""), WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, CancellationToken.None);
            }),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal(kind, Assert.Single(errors.Top(10)).Kind);
    }

    [Fact]
    public async Task VisitAsync_WebSocketClosedBeforeAdmission_CountsTheCloseStatus()
    {
        await using var site = await StubSite.StartAsync(
            app => MapShop(app, ws: socket => socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "invalid ticket", CancellationToken.None)),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        var error = Assert.Single(errors.Top(10));
        Assert.Equal("ws closed 1008 before admission", error.Kind);
        Assert.Equal("invalid ticket", error.Example);
    }

    [Fact]
    public async Task VisitAsync_WebSocketUpgradeRefused_CountsTheStatus()
    {
        await using var site = await StubSite.StartAsync(
            app =>
            {
                app.MapGet(JourneyVisitor.GatedPath, context => StubSite.AnswerAsync(context, 503, Json, """{"wsUrl":"/ws?t=x"}"""));
                app.MapGet("/ws", context => StubSite.AnswerAsync(context, 400, Problem, """{"type":"urn:yarp-waiting-room:problem:websocket-required"}"""));
            },
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal("ws 400 upgrade refused", Assert.Single(errors.Top(10)).Kind);
    }

    [Fact]
    public async Task VisitAsync_GoneOnTheWebSocket_EndsAsGoneWithoutAnError()
    {
        await using var site = await StubSite.StartAsync(
            app => MapShop(app, ws: socket => socket.SendAsync(Encoding.UTF8.GetBytes("""{"type":"gone","reason":"abandoned"}"""), WebSocketMessageType.Text, true, CancellationToken.None)),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Gone, result.Outcome);
        Assert.Equal(0, errors.Total);
    }

    [Fact]
    public async Task VisitAsync_NobodyListening_CountsTheConnectionFailure()
    {
        Uri address;
        await using (var site = await StubSite.StartAsync(_ => { }, TestContext.Current.CancellationToken))
        {
            address = site.Address;
        }

        var errors = new ErrorTable();
        var sut = new JourneyVisitor(address, MaxWait, errors);

        var result = await sut.VisitAsync(0, TestContext.Current.CancellationToken);

        Assert.Equal(JourneyOutcome.Error, result.Outcome);
        Assert.Equal("join HttpRequestException", Assert.Single(errors.Top(10)).Kind);
    }

    [Fact]
    public async Task VisitAsync_ManyVisitorsMeetingEveryKindOfWrongAnswer_NeverThrowAndEachCountsOnce()
    {
        // Visitor i meets wrong answer i % n at some step; run them concurrently, as a rehearsal does.
        string[] joins =
        [
            """{"room":"concert"}""", "{", """{"wsUrl":7}""", "<html>oops</html>", """[]""",
        ];
        var next = 0;
        await using var site = await StubSite.StartAsync(
            app => app.MapGet(JourneyVisitor.GatedPath, context =>
            {
                var i = Interlocked.Increment(ref next) - 1;
                return (i % (joins.Length + 2)) switch
                {
                    var k when k < joins.Length => StubSite.AnswerAsync(context, 503, Json, joins[k]),
                    var k when k == joins.Length => StubSite.AnswerAsync(context, 500, Problem, """{"type":"urn:test:boom"}"""),
                    _ => AbortAsync(context),
                };
            }),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, MaxWait, errors);

        var results = await Task.WhenAll(Enumerable.Range(0, 70).Select(i => sut.VisitAsync(i, TestContext.Current.CancellationToken)));

        Assert.All(results, r => Assert.Equal(JourneyOutcome.Error, r.Outcome));
        Assert.Equal(70, errors.Total);
        Assert.Equal(70, errors.Top(100).Sum(e => e.Count));
        Assert.Equal(
            ["join 500 urn:test:boom", "join 503 'wsUrl' is Number, not String", "join 503 malformed JSON", "join 503 no 'wsUrl'", "join 503 not a JSON object (Array)", "join HttpRequestException"],
            errors.Top(100).Select(e => e.Kind).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task VisitAsync_Cancelled_EndsAsCancelledWithoutAnError()
    {
        await using var site = await StubSite.StartAsync(
            app => MapShop(app, ws: _ => Task.CompletedTask),
            TestContext.Current.CancellationToken);
        var errors = new ErrorTable();
        var sut = new JourneyVisitor(site.Address, TimeSpan.FromSeconds(60), errors);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(500));

        var result = await sut.VisitAsync(0, cancellation.Token);

        Assert.Equal(JourneyOutcome.Cancelled, result.Outcome);
        Assert.Equal(0, errors.Total);
    }

    private static Task AbortAsync(HttpContext context)
    {
        context.Abort();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The shop as a visitor expects it, queue on: join answers queued with a wsUrl, the socket admits (or runs
    /// <paramref name="ws"/>), entry answers 302, two seats are free, a hold is created, the confirmation succeeds.
    /// Each step can be replaced.
    /// </summary>
    private static void MapShop(
        WebApplication app,
        Func<HttpContext, Task>? join = null,
        Func<WebSocket, Task>? ws = null,
        string seats = """[{"id":1,"status":"sold"},{"id":2,"status":"available"},{"id":3,"status":"available"}]""",
        string hold = $$"""{"id":"{{HoldId}}","seatId":2}""",
        Func<HttpContext, Task>? confirm = null)
    {
        app.MapGet(JourneyVisitor.GatedPath, join ?? (context => StubSite.AnswerAsync(context, 503, Json, """{"room":"concert","ticket":"t","position":1,"wsUrl":"/ws?room=concert&t=t"}""")));
        app.Map("/ws", async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await (ws ?? (s => s.SendAsync(Encoding.UTF8.GetBytes("""{"type":"admitted","enterUrl":"/_wr/enter/concert?code=c"}"""), WebSocketMessageType.Text, true, CancellationToken.None)))(socket);
            // Keep the socket open until the client is done with it.
            var buffer = new byte[256];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    if ((await socket.ReceiveAsync(buffer, context.RequestAborted)).MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        });
        app.MapGet("/_wr/enter/concert", context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/api/concerts";
            return Task.CompletedTask;
        });
        app.MapGet(JourneyVisitor.SeatsPath, context => StubSite.AnswerAsync(context, 200, Json, seats));
        app.MapPost("/api/holds", context => StubSite.AnswerAsync(context, 201, Json, hold));
        app.MapPost($"/api/holds/{HoldId}/confirm", confirm ?? (context => StubSite.AnswerAsync(context, 201, Json, """{"id":1}""")));
    }
}

using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench.Tests.Errors;

public sealed class ErrorTableTests
{
    [Fact]
    public void Add_SameKindTwice_CountsBothAndKeepsTheFirstExample()
    {
        var sut = new ErrorTable();

        sut.Add("join 500", "first body");
        sut.Add("join 500", "second body");
        sut.Add("hold 503", "other");

        Assert.Equal(3, sut.Total);
        var top = sut.Top(10);
        Assert.Equal(new ErrorEntry("join 500", 2, "first body"), top[0]);
        Assert.Equal(new ErrorEntry("hold 503", 1, "other"), top[1]);
    }

    [Fact]
    public void Add_UnexpectedAnswer_KindIsStepStatusProblemTypeAndReason()
    {
        var sut = new ErrorTable();
        var answer = new Answer("join", 503, "application/problem+json", """{"type":"urn:test:busy","title":"Busy"}""");

        sut.Add(answer.Unexpected("no 'wsUrl'"));

        var entry = Assert.Single(sut.Top(10));
        Assert.Equal("join 503 urn:test:busy no 'wsUrl'", entry.Kind);
        Assert.Equal("""{"type":"urn:test:busy","title":"Busy"}""", entry.Example);
    }

    [Fact]
    public void Add_Exception_KindIsStepAndExceptionType()
    {
        var sut = new ErrorTable();

        sut.Add("seats", new HttpRequestException("Connection refused (127.0.0.1:1)"));
        sut.Add("seats", new KeyNotFoundException("The given key was not present."));

        Assert.Equal(["seats HttpRequestException", "seats KeyNotFoundException"], sut.Top(10).Select(e => e.Kind).Order(StringComparer.Ordinal));
        Assert.Equal("Connection refused (127.0.0.1:1)", sut.Top(10).Single(e => e.Kind == "seats HttpRequestException").Example);
    }

    [Fact]
    public void Add_HttpClientTimeout_IsCountedAsATimeout()
    {
        var sut = new ErrorTable();

        sut.Add("confirm", new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 30 seconds elapsing.", new TimeoutException()));

        Assert.Equal("confirm timeout", Assert.Single(sut.Top(10)).Kind);
    }

    [Fact]
    public void Add_LongMultiLineExample_KeepsAnExcerptOnOneLine()
    {
        var sut = new ErrorTable();
        var body = "<html>\n<body>" + new string('x', 500) + "</body>\n</html>";

        sut.Add("enter 502", body);

        var example = Assert.Single(sut.Top(10)).Example;
        Assert.DoesNotContain('\n', example);
        Assert.True(example.Length <= Answer.ExcerptLength + 1, $"{example.Length} characters");
        Assert.StartsWith("<html> <body>xxx", example, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_MoreKindsThanKept_CountsTheRestUnderOther()
    {
        var sut = new ErrorTable();

        for (var i = 0; i < ErrorTable.MaxKinds + 50; i++)
        {
            sut.Add($"hold {i}", "body");
        }

        Assert.Equal(ErrorTable.MaxKinds + 50, sut.Total);
        var kinds = sut.Top(int.MaxValue);
        Assert.Equal(ErrorTable.MaxKinds + 1, kinds.Count);
        Assert.Equal(50, kinds.Single(k => k.Kind == ErrorTable.OtherKind).Count);
    }

    [Fact]
    public void Top_OrdersByCountThenKind()
    {
        var sut = new ErrorTable();
        sut.Add("b", "x");
        sut.Add("a", "x");
        sut.Add("c", "x");
        sut.Add("c", "x");

        Assert.Equal(["c", "a"], sut.Top(2).Select(e => e.Kind));
    }

    [Fact]
    public async Task Add_FromManyThreads_LosesNoCount()
    {
        var sut = new ErrorTable();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                sut.Add($"kind {i % 5}", "x");
            }
        }, TestContext.Current.CancellationToken)));

        Assert.Equal(8000, sut.Total);
        Assert.All(sut.Top(10), e => Assert.Equal(1600, e.Count));
    }

    [Fact]
    public void Print_ListsTotalKindsCountsAndExamples()
    {
        var sut = new ErrorTable();
        sut.Add("join 500", "boom");
        using var writer = new StringWriter();

        sut.Print(writer, "errors");

        var text = writer.ToString();
        Assert.Contains("errors: 1 (1 kinds; top 1):", text, StringComparison.Ordinal);
        Assert.Contains("join 500", text, StringComparison.Ordinal);
        Assert.Contains("e.g. boom", text, StringComparison.Ordinal);
    }
}

using YarpWaitingRoom.Bench.Scenarios;

namespace YarpWaitingRoom.Bench.Tests.Scenarios;

public sealed class SelloutSettingsTests
{
    private static readonly Uri Edge = new("http://127.0.0.1:8080/");
    private static readonly Uri Backend = new("http://127.0.0.1:8090/");

    [Fact]
    public void Parse_NoOptions_TheDemoRoomsDefaults()
    {
        var sut = Parse(["journey", "--sellout"]);

        Assert.NotNull(sut);
        Assert.Equal("concert", sut.Room);
        Assert.Equal(1000, sut.Waiting);
        Assert.Equal(1, sut.SeatsPerVisitor);
        Assert.Equal(2.0, sut.AdmitPerSeat);
        Assert.Equal(5000, sut.MaxActive);
        Assert.Equal(5000, sut.VisitorsFor(2000)); // 4,000 admitted at once (2 x 2,000 seats) and 1,000 waiting
    }

    [Fact]
    public void Parse_RoomOptionsFromTheStacksEnvironment_UsedForTheBound()
    {
        var environment = new Dictionary<string, string>
        {
            ["WaitingRoom__Rooms__concert__AdmitPerSeat"] = "0.5",
            ["WaitingRoom__Rooms__concert__MaxActive"] = "600",
        };

        var sut = Parse(["journey", "--sellout", "--waiting", "200"], environment);

        Assert.NotNull(sut);
        Assert.Equal(0.5, sut.AdmitPerSeat);
        Assert.Equal(600, sut.MaxActive);
        Assert.Equal(800, sut.VisitorsFor(2000)); // min(600, 1,000) + 200
    }

    [Fact]
    public void Parse_CommandLineOverTheEnvironment()
    {
        var environment = new Dictionary<string, string> { ["WaitingRoom__Rooms__concert__AdmitPerSeat"] = "0.5" };

        var sut = Parse(["journey", "--sellout", "--admit-per-seat", "1.5", "--visitors", "300"], environment);

        Assert.NotNull(sut);
        Assert.Equal(1.5, sut.AdmitPerSeat);
        Assert.Equal(300, sut.VisitorsFor(2000));
    }

    [Fact]
    public void VisitorsFor_AdmitPerSeatOff_MaxActiveAndTheWaiting()
    {
        var sut = Parse(["journey", "--sellout", "--admit-per-seat", "0", "--max-active", "100", "--waiting", "10"]);

        Assert.NotNull(sut);
        Assert.Equal(110, sut.VisitorsFor(2000));
    }

    [Theory]
    [InlineData("--seats-per-visitor", "5", "at most 4")]
    [InlineData("--waiting", "0", "--waiting wants a whole number of at least 1, not '0'")]
    [InlineData("--hold-back", "many", "--hold-back wants a whole number")]
    [InlineData("--admit-per-seat", "-1", "--admit-per-seat wants a non-negative number")]
    [InlineData("--settle", "soon", "--settle wants a duration")]
    public void Parse_InvalidValue_NamesTheOption(string option, string value, string expected)
    {
        var sut = SelloutSettings.Parse(["journey", "--sellout", option, value], _ => null, Edge, Backend, "key", out var error);

        Assert.Null(sut);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    private static SelloutSettings? Parse(string[] args, Dictionary<string, string>? environment = null) =>
        SelloutSettings.Parse(args, name => environment?.GetValueOrDefault(name), Edge, Backend, "key", out _);
}

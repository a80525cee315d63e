using YarpWaitingRoom.Scheduling;

namespace YarpWaitingRoom.Tests.Scheduling;

public sealed class ScheduledEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 19, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Opens = Now.AddMinutes(30);
    private static readonly DateTimeOffset Starts = Now.AddHours(1);

    [Theory]
    [InlineData(null, "Lottery")]
    [InlineData("Lottery", "Lottery")]
    [InlineData("fifo", "Fifo")]
    public void TryCreate_AValidRequest_IsTheEvent(string? order, string expected)
    {
        Assert.True(ScheduledEvent.TryCreate("Concert 20:00", Opens, Starts, order, Now, out var scheduled, out var field, out _));

        Assert.Equal(new ScheduledEvent("Concert 20:00", Opens, Starts, Enum.Parse<DrawOrder>(expected)), scheduled);
        Assert.Null(field);
    }

    [Fact]
    public void TryCreate_APrequeueOpeningAtTheStart_IsAllowed()
    {
        Assert.True(ScheduledEvent.TryCreate("x", Starts, Starts, null, Now, out _, out _, out _));
    }

    public static TheoryData<string?, DateTimeOffset?, DateTimeOffset?, string?, string> Refused() => new()
    {
        { null, Opens, Starts, null, "name" },
        { "  ", Opens, Starts, null, "name" },
        { "a\nb", Opens, Starts, null, "name" },
        { new string('n', ScheduledEvent.MaxNameLength + 1), Opens, Starts, null, "name" },
        { "x", null, Starts, null, "prequeueOpensAt" },
        { "x", Opens, null, null, "startsAt" },
        { "x", Now.AddHours(-2), Now, null, "startsAt" },
        { "x", Now.AddHours(-2), Now.AddSeconds(-1), null, "startsAt" },
        { "x", Starts.AddSeconds(1), Starts, null, "prequeueOpensAt" },
        { "x", Opens, Starts, "Random", "order" },
        { "x", Opens, Starts, "1", "order" },
        { "x", Opens, Starts, "", "order" },
        { "x", Opens, Starts, "Lottery, Fifo", "order" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TryCreate_AnInvalidRequest_NamesTheField(string? name, DateTimeOffset? opens, DateTimeOffset? starts, string? order, string expectedField)
    {
        Assert.False(ScheduledEvent.TryCreate(name, opens, starts, order, Now, out var scheduled, out var field, out var problem));

        Assert.Null(scheduled);
        Assert.Equal(expectedField, field);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void PhaseAt_IsScheduledBeforeThePrequeueOpens_PrequeueFromThen_DrawnOnceDrawn()
    {
        var scheduled = new ScheduledEvent("x", Opens, Starts, DrawOrder.Lottery);

        Assert.Equal(EventPhase.Scheduled, scheduled.PhaseAt(Opens.AddTicks(-1), drawn: false));
        Assert.Equal(EventPhase.Prequeue, scheduled.PhaseAt(Opens, drawn: false));
        Assert.Equal(EventPhase.Prequeue, scheduled.PhaseAt(Starts.AddMinutes(1), drawn: false));
        Assert.Equal(EventPhase.Drawn, scheduled.PhaseAt(Starts, drawn: true));
    }
}

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// A stack of its own whose demo concert has four seats, so one visitor sells it out: room <c>concert</c> (the
/// reservation API at <c>/api</c>) ticks every second with the default <c>AdmitPerSeat</c> of 2; room <c>closed</c> (the
/// same API at <c>/closed/api</c>) closes once sold out. The backend reports its seats left on every hold, release,
/// confirm and seat-list answer, which is how both rooms learn them.
/// </summary>
public sealed class SellOutTopology : IAsyncLifetime
{
    public const int Seats = 4;

    public StackRun Stack { get; } = StackRun.Create(new Dictionary<string, string?>
    {
        ["Reservation__Database__DemoSeats"] = "4",
        ["WaitingRoom__Rooms__concert__AdmitInterval"] = "00:00:01",
        ["WaitingRoom__Rooms__closed__AdmitInterval"] = "00:00:01",
        ["WaitingRoom__Rooms__closed__WhenSoldOut"] = "Close",
        ["ReverseProxy__Routes__closedapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__closedapi__Match__Path"] = "/closed/{**catch-all}",
        ["ReverseProxy__Routes__closedapi__Metadata__WaitingRoom"] = "closed",
        ["ReverseProxy__Routes__closedapi__Transforms__0__PathRemovePrefix"] = "/closed",
        ["SocketHub__PushInterval"] = "00:00:02",
    }.Concat(StackRun.FunctionalRedisBudget).ToDictionary(StringComparer.Ordinal));

    public Uri Edge => Stack.Edge;

    public async ValueTask InitializeAsync()
    {
        var up = await Stack.UpAsync(TestContext.Current.CancellationToken);
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException("./stack up failed:\n" + up.Output);
        }
    }

    public async ValueTask DisposeAsync() => await Stack.DisposeAsync();
}

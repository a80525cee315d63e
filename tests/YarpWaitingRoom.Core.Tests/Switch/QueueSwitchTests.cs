using YarpWaitingRoom.Options;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Tests.Switch;

public sealed class QueueSwitchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly RoomOptions Room = new();

    /// <summary>
    /// Drives the switch second by second. Each step: (seconds since T0, last-second rate, 10-s average, waiting, mode),
    /// and the expected queue state after the step.
    /// </summary>
    public static TheoryData<string, (int At, double Last, double Avg, long Waiting, RoomMode Mode, bool On)[], string> Scenarios => new()
    {
        {
            "a spike turns the queue on at once",
            [(0, 100, 100, 0, RoomMode.Auto, false), (1, 1500, 240, 0, RoomMode.Auto, true)],
            SwitchReasons.Spike
        },
        {
            "just below the spike threshold does nothing at once",
            [(0, 1499, 1100, 0, RoomMode.Auto, false), (1, 1499, 1199, 0, RoomMode.Auto, false)],
            SwitchReasons.Initial
        },
        {
            "a sustained rate turns it on after the debounce, not before",
            [(0, 1250, 1200, 0, RoomMode.Auto, false), (179, 1250, 1250, 0, RoomMode.Auto, false), (180, 1250, 1250, 0, RoomMode.Auto, true)],
            SwitchReasons.Sustained
        },
        {
            "a dip below OnThreshold restarts the sustained timer",
            [(0, 1300, 1300, 0, RoomMode.Auto, false), (100, 1100, 1199, 0, RoomMode.Auto, false), (101, 1300, 1250, 0, RoomMode.Auto, false),
             (280, 1300, 1250, 0, RoomMode.Auto, false), (281, 1300, 1250, 0, RoomMode.Auto, true)],
            SwitchReasons.Sustained
        },
        {
            "calm for the debounce with nobody waiting turns it off",
            [(0, 2000, 1600, 0, RoomMode.Auto, true), (10, 500, 800, 0, RoomMode.Auto, true), (189, 500, 500, 0, RoomMode.Auto, true), (190, 500, 500, 0, RoomMode.Auto, false)],
            SwitchReasons.Calm
        },
        {
            "people waiting keep it on however calm the rate",
            [(0, 2000, 1600, 0, RoomMode.Auto, true), (10, 100, 100, 3, RoomMode.Auto, true), (400, 100, 100, 1, RoomMode.Auto, true)],
            SwitchReasons.Spike
        },
        {
            "the calm timer restarts when someone waits again",
            [(0, 2000, 1600, 0, RoomMode.Auto, true), (10, 100, 100, 0, RoomMode.Auto, true), (150, 100, 100, 2, RoomMode.Auto, true),
             (151, 100, 100, 0, RoomMode.Auto, true), (330, 100, 100, 0, RoomMode.Auto, true), (331, 100, 100, 0, RoomMode.Auto, false)],
            SwitchReasons.Calm
        },
        {
            "between the thresholds nothing moves",
            [(0, 2000, 1600, 0, RoomMode.Auto, true), (10, 1000, 1000, 0, RoomMode.Auto, true), (1000, 1000, 1000, 0, RoomMode.Auto, true)],
            SwitchReasons.Spike
        },
        {
            "mode On forces it on whatever the rate",
            [(0, 0, 0, 0, RoomMode.On, true), (500, 0, 0, 0, RoomMode.On, true)],
            SwitchReasons.ModeOn
        },
        {
            "mode Off forces it off whatever the rate",
            [(0, 5000, 5000, 10, RoomMode.Off, false)],
            SwitchReasons.ModeOff
        },
        {
            "mode Paused keeps the queue on",
            [(0, 0, 0, 0, RoomMode.Paused, true)],
            SwitchReasons.ModePaused
        },
        {
            "back to Auto after On, the queue stays on until calm for the debounce",
            [(0, 0, 0, 0, RoomMode.On, true), (5, 0, 0, 0, RoomMode.Auto, true), (184, 0, 0, 0, RoomMode.Auto, true), (185, 0, 0, 0, RoomMode.Auto, false)],
            SwitchReasons.Calm
        },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Evaluate_FollowsTheRules(string because, (int At, double Last, double Avg, long Waiting, RoomMode Mode, bool On)[] steps, string finalReason)
    {
        var state = SwitchState.Initial(T0);
        foreach (var step in steps)
        {
            state = QueueSwitch.Evaluate(state, Room, step.Mode, new TrafficSample(step.Last, step.Avg, step.Waiting), T0.AddSeconds(step.At));
            Assert.True(step.On == state.QueueOn, $"{because}: at t={step.At}s expected queue {(step.On ? "ON" : "OFF")}");
        }

        Assert.Equal(finalReason, state.Reason);
    }

    [Fact]
    public void Evaluate_Transition_RecordsItsTime()
    {
        var state = SwitchState.Initial(T0);

        state = QueueSwitch.Evaluate(state, Room, RoomMode.Auto, new TrafficSample(1600, 200, 0), T0.AddSeconds(42));

        Assert.Equal(T0.AddSeconds(42), state.Since);
    }

    [Fact]
    public void Evaluate_NoChange_KeepsSinceAndReason()
    {
        var on = QueueSwitch.Evaluate(SwitchState.Initial(T0), Room, RoomMode.Auto, new TrafficSample(1600, 200, 0), T0);

        var later = QueueSwitch.Evaluate(on, Room, RoomMode.Auto, new TrafficSample(1600, 1000, 50), T0.AddSeconds(30));

        Assert.Equal(on.Since, later.Since);
        Assert.Equal(SwitchReasons.Spike, later.Reason);
    }

    [Fact]
    public void Evaluate_SecondsScaleDebounce_Works()
    {
        var fast = new RoomOptions { OffThreshold = 8, OnThreshold = 12, SpikeThreshold = 15, Debounce = TimeSpan.FromSeconds(2) };
        var state = SwitchState.Initial(T0);

        state = QueueSwitch.Evaluate(state, fast, RoomMode.Auto, new TrafficSample(13, 13, 0), T0);
        state = QueueSwitch.Evaluate(state, fast, RoomMode.Auto, new TrafficSample(13, 13, 0), T0.AddSeconds(2));

        Assert.True(state.QueueOn);
        Assert.Equal(SwitchReasons.Sustained, state.Reason);
    }
}

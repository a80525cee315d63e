using Microsoft.Extensions.Time.Testing;
using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Reservation.Tests.Diagnostics;

public sealed class LogThrottleTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryEnter_WithinInterval_HoldsLinesBack_AndCountsThemForTheNextLine()
    {
        var sut = new LogThrottle(TimeSpan.FromSeconds(1), _time);

        Assert.True(sut.TryEnter(out var first));
        Assert.Equal(0, first);
        for (var i = 0; i < 5; i++)
        {
            Assert.False(sut.TryEnter(out _));
        }

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(sut.TryEnter(out _));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(sut.TryEnter(out var heldBack));
        Assert.Equal(6, heldBack);
        Assert.False(sut.TryEnter(out _));
    }

    [Fact]
    public void TryEnter_ManyThreadsAtOnce_LetsExactlyOneThrough()
    {
        var sut = new LogThrottle(TimeSpan.FromSeconds(1), _time);

        var entered = 0;
        Parallel.For(0, 1_000, _ =>
        {
            if (sut.TryEnter(out _))
            {
                Interlocked.Increment(ref entered);
            }
        });

        Assert.Equal(1, entered);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(sut.TryEnter(out var heldBack));
        Assert.Equal(999, heldBack);
    }
}

namespace YarpWaitingRoom.Proxy.Diagnostics;

/// <summary>
/// Lets one log line through per second: while Redis is busy or out, thousands of requests fail the same way, and the
/// metrics count each of them.
/// </summary>
internal sealed class LogThrottle(TimeProvider timeProvider)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>When the last line was let through (<see cref="TimeProvider.GetTimestamp"/>); 0 before the first.</summary>
    private long _last;

    /// <summary>True for the first caller of each <see cref="Interval"/>, false for the others.</summary>
    public bool ShouldLog()
    {
        var now = timeProvider.GetTimestamp();
        var last = Interlocked.Read(ref _last);
        return (last == 0 || timeProvider.GetElapsedTime(last, now) >= Interval)
            && Interlocked.CompareExchange(ref _last, now, last) == last;
    }
}

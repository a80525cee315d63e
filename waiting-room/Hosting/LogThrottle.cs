namespace YarpWaitingRoom.Hosting;

/// <summary>
/// Lets one log line through per <c>interval</c> and counts the lines it held back, so that a failure hitting every
/// request (a database outage, a busy or lost Redis) writes a line a second, not a line a request. Thread-safe,
/// lock-free. Shared by every service.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval, TimeProvider timeProvider)
{
    private readonly long _intervalTimestamps = (long)(interval.TotalSeconds * timeProvider.TimestampFrequency);
    private long _nextAllowed = long.MinValue;
    private long _heldBack;

    /// <summary>
    /// Whether a line may be written now; if so, <paramref name="heldBack"/> says how many were held back since the last
    /// one that was.
    /// </summary>
    public bool TryEnter(out long heldBack)
    {
        var now = timeProvider.GetTimestamp();
        var next = Interlocked.Read(ref _nextAllowed);
        if (now < next || Interlocked.CompareExchange(ref _nextAllowed, now + _intervalTimestamps, next) != next)
        {
            Interlocked.Increment(ref _heldBack);
            heldBack = 0;
            return false;
        }

        heldBack = Interlocked.Exchange(ref _heldBack, 0);
        return true;
    }

    /// <summary>Whether a line may be written now (for a caller that does not report how many were held back).</summary>
    public bool TryEnter() => TryEnter(out _);
}

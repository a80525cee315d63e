namespace YarpWaitingRoom.Redis;

/// <summary>
/// A Redis call outlasted <see cref="RedisCallOptions.Timeout"/> while Redis is connected and answering other calls: the
/// system is busy, not down (<see cref="RedisCallPolicy"/>). A <see cref="TimeoutException"/>, so code that handles
/// timeouts handles it too; callers that can tell the two apart shed the request (503 + Retry-After) rather than apply a
/// failure policy. The call itself may still complete in Redis.
/// </summary>
internal sealed class RedisBusyException : TimeoutException
{
    public RedisBusyException()
    {
    }

    public RedisBusyException(string message)
        : base(message)
    {
    }

    public RedisBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal RedisBusyException(TimeSpan timeout, Exception innerException)
        : base($"Redis did not answer within {timeout.TotalMilliseconds:0} ms while it answers other calls: busy.", innerException)
    {
    }
}

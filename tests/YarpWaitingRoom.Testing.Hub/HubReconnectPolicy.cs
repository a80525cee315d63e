using System.Net.WebSockets;

namespace YarpWaitingRoom.Testing.Hub;

/// <summary>
/// How <see cref="HubClient.RunAsync"/> keeps a socket as the waiting page (<c>wait.js</c>) does: heartbeats; after a
/// drop, exponential backoff with full jitter (reset by a connection that lasted); after the hub hands the socket back
/// (1012, 1001), at once within a short random spread.
/// </summary>
public sealed record HubReconnectPolicy
{
    /// <summary>1012, Service Restart: a hub that stops hands its sockets back with it.</summary>
    private const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    /// <summary>The values the fault suite runs with (a heartbeat every 5 s, well inside the stack's AbandonAfter).</summary>
    public static HubReconnectPolicy WaitingPage { get; } = new();

    public TimeSpan HeartbeatEvery { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A greeted connection that lasted this long resets the backoff.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The spread of the reconnects after a hand-back (so that a stopping hub's clients do not arrive at once).</summary>
    public TimeSpan HandoverSpread { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The longest wait before the next attempt after <paramref name="end"/> (null: the socket never opened); the wait
    /// itself is a random fraction of it (full jitter). <paramref name="failures"/> counts the failures in a row that the
    /// backoff doubles with.
    /// </summary>
    public TimeSpan MaxDelayAfter(HubConnectionEnd? end, ref int failures)
    {
        if (end is { Greeted: true, CloseStatus: ServiceRestart or WebSocketCloseStatus.EndpointUnavailable })
        {
            failures = 0;
            return HandoverSpread;
        }

        failures = end is { Greeted: true } && end.Lasted >= StableAfter ? 0 : failures + 1;
        return TimeSpan.FromMilliseconds(Math.Min(BackoffCap.TotalMilliseconds, BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16))));
    }
}

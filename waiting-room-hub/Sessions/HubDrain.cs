using System.Net.WebSockets;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hub.Diagnostics;
using YarpWaitingRoom.Hub.Extensions;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// A hub that stops (SIGTERM, <c>docker stop</c>, a rolling update) hands its clients back instead of dropping them:
/// new upgrades are refused with 503 (the edge retries them on another hub), every open session is closed with 1012
/// "service restart" (the page reconnects at once, without backoff, and keeps its place), and after
/// <see cref="SocketHubOptions.DrainTimeout"/> whatever did not finish its close handshake is aborted.
/// </summary>
internal sealed partial class HubDrain(
    RoomDirectory rooms,
    SessionCloser closer,
    IOptions<SocketHubOptions> options,
    TimeProvider timeProvider,
    ILogger<HubDrain> logger) : IHostedService
{
    /// <summary>WebSocket close code 1012 (RFC 6455 registry): the service is restarting, reconnect.</summary>
    public const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private int _draining;

    /// <summary>True once the hub has begun to stop: no new sessions.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) == 1;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 1)
        {
            return;
        }

        var closed = 0;
        foreach (var room in rooms.All)
        {
            foreach (var session in room.Sessions)
            {
                closer.Close(session, ServiceRestart, "service restart");
                closed++;
            }
        }

        var started = timeProvider.GetTimestamp();
        var timeout = options.Value.DrainTimeout;
        while (Remaining() > 0 && timeProvider.GetElapsedTime(started) < timeout && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(PollInterval, timeProvider, CancellationToken.None);
        }

        var aborted = 0;
        foreach (var room in rooms.All)
        {
            foreach (var session in room.Sessions)
            {
                session.Socket.Abort();
                aborted++;
            }
        }

        Log.Drained(logger, closed, aborted, timeProvider.GetElapsedTime(started).TotalMilliseconds);
    }

    private int Remaining()
    {
        var count = 0;
        foreach (var room in rooms.All)
        {
            count += room.Count;
        }

        return count;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.Drained, LogLevel.Information, "Stopping: {Closed} sessions closed with 1012 (service restart), {Aborted} aborted after the drain timeout, in {Milliseconds:F0} ms")]
        public static partial void Drained(ILogger logger, int closed, int aborted, double milliseconds);
    }
}

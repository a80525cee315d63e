using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hub.Extensions;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// The send timeout of every session as one timing wheel instead of a timer per session or per message. A send the socket
/// takes at once (nearly every one) costs nothing here and carries no cancellation token: a cancelable token sends every
/// WebSocket frame down the socket's slower path, with a registration per frame. A send that has to wait is noted in the
/// current slot (<see cref="Watch"/>); every <see cref="SocketHubOptions.SendTimeout"/> / <see cref="SlotsPerTimeout"/> a
/// new slot begins, and the sessions noted in the slot that began more than SendTimeout ago whose send is still the same
/// one in flight are aborted (socket and connection). So a stuck send ends between SendTimeout and 1¼ SendTimeout after
/// it began to wait, and an idle session holds nothing.
/// </summary>
internal sealed class SendDeadlines : BackgroundService
{
    /// <summary>Slots per SendTimeout: how late past its timeout a stuck send may end, as a fraction of the timeout.</summary>
    public const int SlotsPerTimeout = 4;

    private readonly Queue<List<(HubSession Session, long Send)>> _slots = new();
    private readonly TimeSpan _slotLength;
    private readonly TimeProvider _timeProvider;
    private List<(HubSession Session, long Send)> _current = [];

    public SendDeadlines(IOptions<SocketHubOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _slotLength = options.Value.SendTimeout / SlotsPerTimeout;
        _timeProvider = timeProvider;
        _slots.Enqueue(_current);
    }

    /// <summary>Notes that <paramref name="session"/>'s send number <paramref name="send"/> waits on its socket from now on.</summary>
    public void Watch(HubSession session, long send)
    {
        lock (_slots)
        {
            _current.Add((session, send));
        }
    }

    /// <summary>
    /// Begins a new slot; the sessions noted in the slot that began a whole SendTimeout before it and still on the same
    /// send are aborted. Returns whether it aborted one.
    /// </summary>
    internal bool Advance()
    {
        List<(HubSession Session, long Send)>? expired = null;
        lock (_slots)
        {
            _current = [];
            _slots.Enqueue(_current);
            if (_slots.Count > SlotsPerTimeout + 1)
            {
                expired = _slots.Dequeue();
            }
        }

        var aborted = false;
        foreach (var (session, send) in expired ?? [])
        {
            aborted |= session.AbortIfStillSending(send);
        }

        return aborted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_slotLength, _timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Advance();
        }
    }
}

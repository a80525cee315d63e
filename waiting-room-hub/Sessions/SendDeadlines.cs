using Microsoft.Extensions.Options;
using YarpWaitingRoom.Hub.Extensions;

namespace YarpWaitingRoom.Hub.Sessions;

/// <summary>
/// The send timeout of every session as one timing wheel instead of a timer per session or per message: a send takes
/// <see cref="Token"/>, the token of the current slot; every <see cref="SocketHubOptions.SendTimeout"/> /
/// <see cref="SlotsPerTimeout"/> a new slot begins, and the slot that began more than SendTimeout ago is cancelled,
/// which aborts the sockets whose sends from that slot are still in flight (a cancelled WebSocket send aborts its
/// socket). So a stuck send ends between SendTimeout and 1¼ SendTimeout after it started; a send that completes in time
/// only registered on a token shared by every session, and an idle session holds nothing.
/// </summary>
internal sealed class SendDeadlines : BackgroundService
{
    /// <summary>Slots per SendTimeout: how late past its timeout a stuck send may end, as a fraction of the timeout.</summary>
    public const int SlotsPerTimeout = 4;

    private readonly Queue<CancellationTokenSource> _slots = new();
    private readonly TimeSpan _slotLength;
    private readonly TimeProvider _timeProvider;
    private CancellationToken _token;

    public SendDeadlines(IOptions<SocketHubOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _slotLength = options.Value.SendTimeout / SlotsPerTimeout;
        _timeProvider = timeProvider;
        Advance();
    }

    /// <summary>The token for a send starting now (one struct copy; the slot's source is shared by every session).</summary>
    public CancellationToken Token => _token;

    /// <summary>Begins a new slot and cancels the one that began a whole SendTimeout before it; returns whether it cancelled one.</summary>
    internal bool Advance()
    {
        CancellationTokenSource? expired = null;
        lock (_slots)
        {
            var next = new CancellationTokenSource();
            _slots.Enqueue(next);
            _token = next.Token;
            if (_slots.Count > SlotsPerTimeout + 1)
            {
                expired = _slots.Dequeue();
            }
        }

        if (expired is null)
        {
            return false;
        }

        // Aborts every socket whose send from that slot is still in flight; sends that completed unregistered already.
        expired.Cancel();
        expired.Dispose();
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_slotLength, _timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Advance();
        }
    }

    public override void Dispose()
    {
        lock (_slots)
        {
            while (_slots.TryDequeue(out var slot))
            {
                slot.Dispose();
            }
        }

        base.Dispose();
    }
}

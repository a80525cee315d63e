using System.Collections.Concurrent;
using System.Diagnostics;

namespace YarpWaitingRoom.Bench.Scenarios;

/// <summary>
/// What the sell-out rehearsal's visitors share: the seats to sell (a pool each visitor who entered takes its seats from,
/// so no two ever try the same seat; one whose hold failed goes back), the tally of the answers (taken, sold, released),
/// the moment the last seat went and the moment seats came back, every admission notice's arrival, and the signals
/// between the phases. Thread-safe; times are <see cref="Stopwatch"/> timestamps, reported in ms from <see cref="Begin"/>.
/// </summary>
internal sealed class SelloutRun(IReadOnlyList<int> seats, int seatsPerBuyer, int holdBack, int seatsPerHoldBack)
{
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<int> _pool = new(seats);
    private readonly List<double> _admissions = [];
    private readonly TaskCompletionSource _soldOut = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _holdBacks;
    private int _taken;
    private int _sold;
    private int _released;
    private int _waitingNow;
    private int _heardSoldOut;
    private int _busyRetries;
    private long _soldOutAt;
    private long _lastTakeAt;
    private long _lastCommitTicks;
    private long _soldOutCommitTicks;
    private int _backendRemaining = -1;
    private long _releasedAt;

    public long Begin { get; } = Stopwatch.GetTimestamp();

    /// <summary>The wall clock at <see cref="Begin"/> (the backend's times are wall-clock times on the same machine).</summary>
    public DateTimeOffset BeginWall { get; } = DateTimeOffset.UtcNow;

    public int Seats => seats.Count;

    public int Taken => Volatile.Read(ref _taken);

    public int Sold => Volatile.Read(ref _sold);

    public int Released => Volatile.Read(ref _released);

    /// <summary>Seats left (neither held nor sold): the backend's latest word, else the bench's tally of the answers it got.</summary>
    public int Remaining => Volatile.Read(ref _backendRemaining) is >= 0 and var said ? said : Seats - Taken + Released;

    /// <summary>Sockets open and not (yet) admitted.</summary>
    public int WaitingNow => Volatile.Read(ref _waitingNow);

    /// <summary>Sockets that heard <c>soldout</c> (each counted once).</summary>
    public int HeardSoldOut => Volatile.Read(ref _heardSoldOut);

    /// <summary>Joins and entries answered busy (503 with Retry-After) and tried again.</summary>
    public int BusyRetries => Volatile.Read(ref _busyRetries);

    public int Admitted
    {
        get
        {
            lock (_gate)
            {
                return _admissions.Count;
            }
        }
    }

    /// <summary>Completes when the backend said nothing is left (see <see cref="BackendSays"/>).</summary>
    public Task SoldOut => _soldOut.Task;

    /// <summary>Completes when the hold-back visitors are to release their seats.</summary>
    public Task ReleaseSignal => _release.Task;

    /// <summary>
    /// When the backend took the last seat (the latest hold's time by its own clock, before it said nothing is left), in ms
    /// from <see cref="Begin"/>: under load the answers reach the bench seconds after the backend (and the room) knew.
    /// </summary>
    public double? LastSeatCommittedAtMs =>
        Volatile.Read(ref _soldOutCommitTicks) is var ticks and not 0 ? (new DateTimeOffset(ticks, TimeSpan.Zero) - BeginWall).TotalMilliseconds : null;

    /// <summary>When the answer that took the last seat reached the bench, in ms from <see cref="Begin"/>.</summary>
    public double? SoldOutAtMs => Volatile.Read(ref _soldOutAt) is var at and not 0 ? Ms(at) : null;

    public double? ReleasedAtMs => Volatile.Read(ref _releasedAt) is var at and not 0 ? Ms(at) : null;

    public double Ms(long timestamp) => (timestamp - Begin) * 1000.0 / Stopwatch.Frequency;

    public double NowMs => Ms(Stopwatch.GetTimestamp());

    /// <summary>
    /// The part of a visitor just admitted: a leaver when no seat is left to take, else one of the first
    /// <c>holdBack</c> to hold back, else a buyer.
    /// </summary>
    public SelloutRole Admit() =>
        _pool.IsEmpty ? SelloutRole.Leaver
        : Interlocked.Increment(ref _holdBacks) <= holdBack ? SelloutRole.HoldBack
        : SelloutRole.Buyer;

    /// <summary>How many seats a visitor of <paramref name="role"/> holds.</summary>
    public int SeatsFor(SelloutRole role) => role == SelloutRole.HoldBack ? seatsPerHoldBack : seatsPerBuyer;

    /// <summary>The next seat nobody has tried yet (or one given back); false when none is left.</summary>
    public bool TryTakeSeat(out int seat) => _pool.TryDequeue(out seat);

    /// <summary>A seat whose hold failed goes back for the next visitor.</summary>
    public void GiveBack(int seat) => _pool.Enqueue(seat);

    /// <summary>
    /// A hold's answer took a seat: it arrived at <paramref name="at"/>; the backend took it at <paramref name="committedAt"/>
    /// (its clock; null when the answer did not say).
    /// </summary>
    public void SeatTaken(long at, DateTimeOffset? committedAt = null)
    {
        Interlocked.Increment(ref _taken);
        Raise(ref _lastTakeAt, at);
        if (committedAt is { } committed)
        {
            Raise(ref _lastCommitTicks, committed.UtcTicks);
        }
    }

    /// <summary>
    /// What the backend says is left (its <c>X-WaitingRoom-Inventory</c>). The first 0 after a seat was taken is the sale's
    /// end, dated by the last answer that took a seat before it: the answer that took the last one. (The bench's own tally
    /// cannot say it: a hold whose answer timed out may have taken its seat, and the backend gives back the holds of a
    /// session that ends.)
    /// </summary>
    public void BackendSays(int remaining)
    {
        Volatile.Write(ref _backendRemaining, remaining);
        if (remaining == 0 && Volatile.Read(ref _lastTakeAt) is var last and not 0
            && Interlocked.CompareExchange(ref _soldOutAt, last, 0) == 0)
        {
            Volatile.Write(ref _soldOutCommitTicks, Volatile.Read(ref _lastCommitTicks));
            _soldOut.TrySetResult();
        }
    }

    private static void Raise(ref long field, long value)
    {
        long current;
        do
        {
            current = Volatile.Read(ref field);
        }
        while (value > current && Interlocked.CompareExchange(ref field, value, current) != current);
    }

    public void BusyRetry() => Interlocked.Increment(ref _busyRetries);

    public void SeatSold() => Interlocked.Increment(ref _sold);

    public void SeatReleased(long at)
    {
        Interlocked.CompareExchange(ref _releasedAt, at, 0);
        Interlocked.Increment(ref _released);
    }

    public void Release() => _release.TrySetResult();

    public void SocketWaiting() => Interlocked.Increment(ref _waitingNow);

    public void SocketDone() => Interlocked.Decrement(ref _waitingNow);

    public void HeardSoldOutOnce() => Interlocked.Increment(ref _heardSoldOut);

    public void Admission(long at)
    {
        lock (_gate)
        {
            _admissions.Add(Ms(at));
        }
    }

    public IReadOnlyList<double> Admissions()
    {
        lock (_gate)
        {
            return [.. _admissions];
        }
    }
}

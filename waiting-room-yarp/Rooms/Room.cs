using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>One room at run time: its settings, its queue, its switch, and the state the gate reads on every request.</summary>
internal sealed class Room
{
    private readonly Lock _publishing = new();
    private RoomSnapshot _snapshot;
    private long _issued;
    private long _issuedAtPublish;

    public Room(string name, RoomOptions options, QueueStore queue, SwitchStore switchStore, DateTimeOffset now)
    {
        Name = name;
        Options = options;
        Queue = queue;
        Switch = switchStore;
        CookieName = "wr_" + name;
        Revoked = new RevokedAdmissions(queue.RevokedFor);
        Invitations = options.Access == RoomAccess.Invitation ? new Invitations.InvitationKeyVerifier(name, options.InvitationSecrets) : null;
        _snapshot = new RoomSnapshot(0, options.Mode, QueueSwitch.Start(options, options.Mode, now), 0, 0, 0, null, null, 0, 0);
    }

    public string Name { get; }

    public RoomOptions Options { get; }

    public QueueStore Queue { get; }

    public SwitchStore Switch { get; }

    /// <summary>With <c>Access = Invitation</c>: what checks the members' keys; null in an open room.</summary>
    public Invitations.InvitationKeyVerifier? Invitations { get; }

    /// <summary>Name of the admission cookie.</summary>
    public string CookieName { get; }

    /// <summary>The latest inventory seen in this proxy's responses, until it is written to Redis.</summary>
    public Inventory.InventoryObserver Inventory { get; } = new();

    /// <summary>What the gate did with visitors without a place, until it is added to the room's shared tally.</summary>
    public Gate.EntryTally EntryTally { get; } = new();

    /// <summary>Admitted tickets whose pages sent a keep-alive, until they are written to Redis.</summary>
    public KeepAlive.KeepAliveBeats KeepAlives { get; } = new();

    /// <summary>Admissions that ended (on any proxy) whose cookies the gate must refuse.</summary>
    public RevokedAdmissions Revoked { get; }

    /// <summary>
    /// The room's shared state as this instance last read it (pub/sub plus a 1-second poll keep it fresh): read without
    /// locks on the hot path, replaced whole through <see cref="Publish"/>.
    /// </summary>
    public RoomSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>
    /// Numbers a read or write of the room's state: take it just before the Redis call whose result is then given to
    /// <see cref="Publish"/>.
    /// </summary>
    public long BeginStateCall() => Interlocked.Increment(ref _issued);

    /// <summary>
    /// Makes <paramref name="snapshot"/>, the result of the state call numbered <paramref name="call"/>, the room's state,
    /// unless it is older than what is there. Several calls run at once (the 1-second poll, a refresh on the room's
    /// channel, the switch evaluator's write, an operator's mode change), so a read sent before a write can answer after
    /// it: its state is older (a lower version) and is dropped, or it would put back the mode the operator just changed.
    /// A call begun after the last publication was sent after it and sees at least its state, so it is taken whatever
    /// its version says (a Redis that lost its data starts again from version 0).
    /// </summary>
    /// <returns>Whether the snapshot was taken.</returns>
    public bool Publish(long call, RoomSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_publishing)
        {
            if (call <= _issuedAtPublish && snapshot.Version <= _snapshot.Version)
            {
                return false;
            }

            _issuedAtPublish = Interlocked.Read(ref _issued);
            Volatile.Write(ref _snapshot, snapshot);
            return true;
        }
    }

    /// <summary>Since when admission has been overdue while people wait and capacity is free; null while it runs.</summary>
    public DateTimeOffset? AdmissionStalledSince { get; set; }

    /// <summary>Whether visitors without admission are queued right now.</summary>
    public bool QueueOn => Snapshot.Switch.QueueOn;

    /// <summary>Estimated seconds until <paramref name="position"/> is admitted, or null when unknown.</summary>
    public double? EtaSeconds(long position, DateTimeOffset now) => Snapshot.EtaSeconds(position, now, Options);
}

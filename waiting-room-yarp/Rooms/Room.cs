using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Switch;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>One room at run time: its settings, its queue, its switch, and the state the gate reads on every request.</summary>
internal sealed class Room
{
    private RoomSnapshot _snapshot;

    public Room(string name, RoomOptions options, QueueStore queue, SwitchStore switchStore, DateTimeOffset now)
    {
        Name = name;
        Options = options;
        Queue = queue;
        Switch = switchStore;
        CookieName = "wr_" + name;
        Revoked = new RevokedAdmissions(queue.RevokedFor);
        _snapshot = new RoomSnapshot(0, options.Mode, QueueSwitch.Start(options, options.Mode, now), 0, 0, 0, null, null, 0, 0);
    }

    public string Name { get; }

    public RoomOptions Options { get; }

    public QueueStore Queue { get; }

    public SwitchStore Switch { get; }

    /// <summary>Name of the admission cookie.</summary>
    public string CookieName { get; }

    /// <summary>Admissions that ended (on any proxy) whose cookies the gate must refuse.</summary>
    public RevokedAdmissions Revoked { get; }

    /// <summary>
    /// The room's shared state as this instance last read it (pub/sub plus a 1-second poll keep it fresh): read without
    /// locks on the hot path, replaced whole.
    /// </summary>
    public RoomSnapshot Snapshot
    {
        get => Volatile.Read(ref _snapshot);
        set => Volatile.Write(ref _snapshot, value);
    }

    /// <summary>Since when admission has been overdue while people wait and capacity is free; null while it runs.</summary>
    public DateTimeOffset? AdmissionStalledSince { get; set; }

    /// <summary>Whether visitors without admission are queued right now.</summary>
    public bool QueueOn => Snapshot.Switch.QueueOn;

    /// <summary>Estimated seconds until <paramref name="position"/> is admitted, or null when unknown.</summary>
    public double? EtaSeconds(long position, DateTimeOffset now) => Snapshot.EtaSeconds(position, now, Options);
}

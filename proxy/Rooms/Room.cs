using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Proxy.Rooms;

/// <summary>One room at run time: its settings, its queue, and the state the gate reads on every request.</summary>
public sealed class Room(string name, RoomOptions options, QueueStore queue, DateTimeOffset now)
{
    private RoomState _state = RoomState.Initial(options, now);

    public string Name { get; } = name;

    public RoomOptions Options { get; } = options;

    public QueueStore Queue { get; } = queue;

    /// <summary>Name of the admission cookie.</summary>
    public string CookieName { get; } = "wr_" + name;

    /// <summary>The cached state: read without locks on the hot path, replaced whole.</summary>
    public RoomState State
    {
        get => Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, value);
    }
}

using System.Threading.Channels;

namespace YarpWaitingRoom.Proxy.Rooms;

/// <summary>In-process nudge to the admission scheduler: capacity just freed in a room, admit now rather than at the next tick.</summary>
public sealed class AdmissionSignal
{
    private readonly Channel<string> _rooms = Channel.CreateBounded<string>(new BoundedChannelOptions(1024)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public void CapacityFreed(string room) => _rooms.Writer.TryWrite(room);

    public ChannelReader<string> Reader => _rooms.Reader;
}

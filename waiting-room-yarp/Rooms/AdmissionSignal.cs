using System.Collections.Concurrent;
using System.Threading.Channels;

namespace YarpWaitingRoom.Yarp.Rooms;

/// <summary>
/// In-process nudge to the admission scheduler: capacity just freed in a room (a session ended here, or another
/// instance published <c>freed</c>), so admit now rather than at the next tick. Nudges coalesce: one pending per room.
/// </summary>
internal sealed class AdmissionSignal
{
    private readonly ConcurrentDictionary<string, Channel<bool>> _rooms = new(StringComparer.Ordinal);

    public void CapacityFreed(string room) => For(room).Writer.TryWrite(true);

    /// <summary>Completes when capacity was freed in <paramref name="room"/> since the last call returned.</summary>
    public async Task WaitAsync(string room, CancellationToken cancellationToken)
    {
        var reader = For(room).Reader;
        await reader.WaitToReadAsync(cancellationToken);
        reader.TryRead(out _);
    }

    private Channel<bool> For(string room) => _rooms.GetOrAdd(room, static _ => Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    }));
}

using YarpWaitingRoom.Options;
using YarpWaitingRoom.Scheduling;

namespace YarpWaitingRoom.Hub.Page;

/// <summary>What the waiting page calls its room: never the bare room name while something better is configured.</summary>
internal static class WaitingPageTitle
{
    /// <summary>
    /// The scheduled sale's name when the room has one (<paramref name="sale"/>), else the room's
    /// <see cref="RoomOptions.DisplayName"/> in <paramref name="language"/> (else in the other language), else
    /// <paramref name="room"/>.
    /// </summary>
    public static string For(string room, RoomOptions? options, SaleView? sale, string language) =>
        !string.IsNullOrWhiteSpace(sale?.Name) ? sale.Name
        : options?.DisplayName?.For(language) ?? room;
}

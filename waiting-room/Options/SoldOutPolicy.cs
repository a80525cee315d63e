namespace YarpWaitingRoom.Options;

/// <summary>What a room does with new visitors once its inventory is sold out (<see cref="RoomOptions.WhenSoldOut"/>).</summary>
public enum SoldOutPolicy
{
    /// <summary>New visitors still take a place, told it is sold out, in case seats come back.</summary>
    KeepQueue = 0,

    /// <summary>New visitors are told it is sold out and take no place.</summary>
    Close = 1,
}

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>Bound from <c>Reservation:Admin</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Reservation:Admin";

    /// <summary>
    /// Key required in <see cref="Protocol.WaitingRoomHeaders.AdminKey"/> by the admin API (<see cref="AdminApi"/>), at least
    /// <see cref="YarpWaitingRoom.Options.WaitingRoomOptions.MinAdminKeyLength"/> characters, as the proxies' admin key.
    /// Empty (the default): the admin API is not there at all.
    /// </summary>
    public string Key { get; set; } = string.Empty;

    public bool Enabled => Key.Length > 0;
}

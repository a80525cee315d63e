namespace YarpWaitingRoom.Options;

/// <summary>Who may take a place in a room (<see cref="RoomOptions.Access"/>).</summary>
public enum RoomAccess
{
    /// <summary>Anyone.</summary>
    Open = 0,

    /// <summary>Only a visitor with a valid invitation key the ticket site issued (presales): one key, one place.</summary>
    Invitation = 1,
}

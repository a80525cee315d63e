namespace YarpWaitingRoom.Testing.Hub;

/// <summary>What came of <see cref="HubClient.CloseAsync"/>.</summary>
public enum HubCloseOutcome
{
    /// <summary>No connection was open: never connected, or the hub (or the network) had ended it already.</summary>
    NotOpen,

    /// <summary>The hub answered the close frame with its own (a clean close handshake).</summary>
    Answered,

    /// <summary>After the close frame the hub dropped the connection instead of answering.</summary>
    Dropped,

    /// <summary>Neither within the timeout (or the close frame could not be sent); the connection was aborted.</summary>
    TimedOut,
}

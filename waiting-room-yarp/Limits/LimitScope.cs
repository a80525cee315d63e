namespace YarpWaitingRoom.Yarp.Limits;

/// <summary>Whom a limit counts: one client address, or every address of its network (the <c>reason</c> of a refusal).</summary>
internal enum LimitScope
{
    Address,
    Network,
}

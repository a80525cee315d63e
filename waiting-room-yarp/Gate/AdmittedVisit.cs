using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>Request feature set by the gate on an admitted request, read by the end-session transform.</summary>
internal sealed record AdmittedVisit(Room Room, string Visitor, string Ticket);

using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Reservation.Apis;

/// <summary>
/// The caller, as named by the waiting-room proxy in <c>X-WaitingRoom-Visitor</c>. Bound from the header;
/// <see cref="VisitorRequiredFilter"/> has already refused requests where it is missing or malformed.
/// </summary>
public readonly record struct Visitor(string Id)
{
    public static ValueTask<Visitor> BindAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ValueTask.FromResult(new Visitor(context.Request.Headers[WaitingRoomHeaders.Visitor].ToString()));
    }

    public override string ToString() => Id;
}

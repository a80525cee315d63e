namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// Who makes an admin call, set on the request by <see cref="Endpoints.EndpointGuard"/> once the key or the console
/// session is checked: every action is attributed to <paramref name="Name"/>.
/// </summary>
/// <param name="Name">The operator (<c>WaitingRoom:AdminKeys:&lt;name&gt;</c>).</param>
/// <param name="Session">The console session the call came with; null for a call with the key header.</param>
internal sealed record AdminOperator(string Name, AdminSession? Session)
{
    /// <summary>The operator of <paramref name="context"/>'s admin call; <c>"?"</c> outside the guard (never for a guarded call).</summary>
    public static string NameOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<AdminOperator>()?.Name ?? "?";
    }
}

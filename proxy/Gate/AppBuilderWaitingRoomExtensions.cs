namespace YarpWaitingRoom.Proxy.Gate;

internal static class AppBuilderWaitingRoomExtensions
{
    /// <summary>Adds the waiting-room gate to YARP's proxy pipeline (inside <c>MapReverseProxy</c>).</summary>
    public static IApplicationBuilder UseWaitingRoom(this IApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseMiddleware<WaitingRoomGateMiddleware>();
    }
}

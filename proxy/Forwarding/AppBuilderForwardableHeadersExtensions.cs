namespace YarpWaitingRoom.Proxy.Forwarding;

internal static class AppBuilderForwardableHeadersExtensions
{
    /// <summary>Refuses requests with headers the forwarder cannot carry (inside <c>MapReverseProxy</c>, before the gate).</summary>
    public static IApplicationBuilder UseForwardableHeaders(this IApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.UseMiddleware<ForwardableHeadersMiddleware>();
    }
}

namespace YarpWaitingRoom.Proxy.Endpoints;

internal static class AdminKeyExtensions
{
    /// <summary>Checks the admin key of every request under <see cref="AdminApi.Prefix"/> before its endpoint binds anything; after the rate limiter.</summary>
    public static IApplicationBuilder UseAdminKey(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<AdminKeyMiddleware>();
    }
}

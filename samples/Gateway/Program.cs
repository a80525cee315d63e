// An existing YARP gateway with a waiting room in front of some of its routes: three calls added (AddWaitingRoom,
// UseWaitingRoom, MapWaitingRoomEndpoints), everything else is the gateway's own.
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddWaitingRoom(builder.Configuration.GetSection("WaitingRoom"))
    // Routes gated in code rather than by their "WaitingRoom" metadata: here the orders route (see appsettings.json).
    .AddWaitingRoomRoutes(route => route.RouteId == "orders" ? Rooms.Concert : null);

var app = builder.Build();

// The gateway's own endpoints: liveness without any dependency, readiness with the waiting room's health checks.
app.MapGet("/health", () => TypedResults.Text("healthy"));
app.MapHealthChecks("/ready");

// /_wr/rooms/{room}/tickets/{ticket}, /_wr/enter/{room} and the admin API /_wr/admin/...
app.MapWaitingRoomEndpoints();
app.MapReverseProxy(proxy =>
{
    // The gate first; a custom pipeline replaces YARP's default one, so its middlewares are added back.
    proxy.UseWaitingRoom();
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();

/// <summary>The gateway's waiting rooms (configured under <c>WaitingRoom:Rooms</c>).</summary>
internal static class Rooms
{
    public const string Concert = "concert";
}

using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.SocketHub.Forwarding;

// The stock socket hub: the waiting room's hub (YarpWaitingRoom.Hub) in a process of its own, behind nginx.
// A site of yours takes the same two calls: AddWaitingRoomHub, MapWaitingRoomHub.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The client's address as nginx reports it: what the per-address limits count.
builder.Services.AddOptions<HubEdgeOptions>().BindConfiguration(HubEdgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddTrustedForwardedHeaders<HubEdgeOptions>(edge => edge.TrustedProxies);
builder.Services.AddWaitingRoomHub(
    builder.Configuration.GetSection(WaitingRoomOptions.SectionName),
    builder.Configuration.GetSection(HubEdgeOptions.SectionName));

var app = builder.Build();

app.UseForwardedHeaders();
app.UseSecurityHeaders();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapWaitingRoomHub();

app.Run();

/// <summary>Entry point; public so integration tests can host the app.</summary>
public partial class Program;

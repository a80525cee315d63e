using YarpWaitingRoom.Options;
using YarpWaitingRoom.Proxy.Forwarding;

// The stock proxy: the waiting room (YarpWaitingRoom.Yarp) in a YARP gateway of its own, as the edge behind nginx.
// A gateway of yours takes the same three calls: AddWaitingRoom, UseWaitingRoom, MapWaitingRoomEndpoints.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddEdgeForwarding();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddWaitingRoom(builder.Configuration.GetSection(WaitingRoomOptions.SectionName));

var app = builder.Build();

app.UseForwardedHeaders();
app.UseSecurityHeadersOnOwnResponses();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapWaitingRoomEndpoints();
app.MapReverseProxy(proxy =>
{
    proxy.UseForwardableHeaders();
    proxy.UseWaitingRoom();
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();

/// <summary>Entry point; public so integration tests can host the app.</summary>
public partial class Program;

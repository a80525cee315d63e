using YarpWaitingRoom.Hosting;
using Prometheus;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.SocketHub.Diagnostics;
using YarpWaitingRoom.SocketHub.Forwarding;

// The stock socket hub: the waiting room's hub (YarpWaitingRoom.Hub) in a process of its own, behind nginx.
// A site of yours takes the same two calls: AddWaitingRoomHub, MapWaitingRoomHub.
var builder = WebApplication.CreateBuilder(args);

// Before any metric exists: prometheus-net's process metrics, less the one that stats every socket on each scrape.
Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressProcessMetrics = true });
ProcessMetrics.Register(Metrics.DefaultRegistry);

builder.AddServiceDefaults();
// Everything this process runs on a connection is asynchronous (the hub's handlers never block): Kestrel may run it, and
// a send's flush to the socket, on the thread that got there, instead of handing each off to its I/O queue first. At
// 10,000 sockets that is 10,000 thread hops fewer per push tick.
builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
// The client's address as nginx reports it: what the per-address limits count.
builder.Services.AddOptions<HubEdgeOptions>().BindConfiguration(HubEdgeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddTrustedForwardedHeaders<HubEdgeOptions>(edge => edge.TrustedProxies);
builder.Services.AddWaitingRoomHub(
    builder.Configuration.GetSection(WaitingRoomOptions.SectionName),
    builder.Configuration.GetSection(HubEdgeOptions.SectionName));

var app = builder.Build();

app.UseForwardedHeaders();
// The WebSocket ahead of every other middleware: an open socket keeps alive the state of each middleware its request passed.
app.UseWaitingRoomSocket();
app.UseSecurityHeaders();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapWaitingRoomHub();

app.Run();

/// <summary>Entry point; public so integration tests can host the app.</summary>
public partial class Program;

using YarpWaitingRoom.Proxy.Endpoints;
using YarpWaitingRoom.Proxy.Extensions;
using YarpWaitingRoom.Proxy.Forwarding;
using YarpWaitingRoom.Proxy.Gate;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddWaitingRoom();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseSecurityHeadersOnOwnResponses();
app.UseServiceDefaults();
app.UseRateLimiter();
app.UseAdminKey();
app.MapDefaultEndpoints();
app.MapWaitingRoomApi();
app.MapAdminApi();
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

using YarpWaitingRoom.Hosting;
using YarpWaitingRoom.SocketHub.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSocketHub();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseSecurityHeaders();
app.UseServiceDefaults();
app.UseRateLimiter();
app.UseSocketHub();
app.MapDefaultEndpoints();
app.MapSocketHub();

app.Run();

/// <summary>Entry point; public so integration tests can host the app.</summary>
public partial class Program;

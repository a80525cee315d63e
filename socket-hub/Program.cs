using YarpWaitingRoom.SocketHub.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSocketHub();

var app = builder.Build();

app.UseServiceDefaults();
app.UseSocketHub();
app.MapDefaultEndpoints();
app.MapSocketHub();

app.Run();

/// <summary>Entry point; public so integration tests can host the app.</summary>
public partial class Program;

using YarpWaitingRoom.Reservation.Apis;
using YarpWaitingRoom.Reservation.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddReservationServices();

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapReservationApi();
app.MapAdminApi();

app.Run();

/// <summary>Entry point; public so integration tests can host the app.</summary>
public partial class Program;

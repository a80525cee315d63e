using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace YarpWaitingRoom.Reservation.Tests;

/// <summary>
/// The real backend on a real database and Redis. With <c>kestrel: true</c> it listens on a loopback port, so two of
/// them on one database are two instances, as in production.
/// </summary>
public sealed class ReservationApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _timeProvider;

    public ReservationApp(
        string databaseConnectionString,
        string redisConnectionString,
        string room,
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeProvider? timeProvider = null,
        bool kestrel = false)
    {
        _timeProvider = timeProvider;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Reservations"] = databaseConnectionString,
            ["ConnectionStrings:Redis"] = redisConnectionString,
            ["Reservation:WaitingRoomEvents:Rooms:0"] = room,
            ["Reservation:Inventory:Room"] = room,
            ["Reservation:WaitingRoomEvents:PollInterval"] = "00:00:00.050",
            ["Reservation:InstanceName"] = "test-" + Guid.NewGuid().ToString("N")[..6],
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        if (kestrel)
        {
            UseKestrel(0);
        }
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public HttpClient CreateVisitorClient(string visitor)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-WaitingRoom-Visitor", visitor);
        return client;
    }

    /// <summary>Ids of the demo concert's seats that are available now.</summary>
    public async Task<int[]> AvailableSeatIdsAsync(CancellationToken cancellationToken)
    {
        using var client = CreateVisitorClient("seat-lister");
        var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", cancellationToken);
        var concertId = concerts[0].GetProperty("id").GetInt32();
        var seats = await client.GetFromJsonAsync<JsonElement>($"/api/concerts/{concertId.ToString(CultureInfo.InvariantCulture)}/seats", cancellationToken);
        return seats.EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() == "available")
            .Select(s => s.GetProperty("id").GetInt32())
            .ToArray();
    }

    public async Task<string?> SeatStatusAsync(int seatId, CancellationToken cancellationToken)
    {
        using var client = CreateVisitorClient("seat-lister");
        var concerts = await client.GetFromJsonAsync<JsonElement>("/api/concerts", cancellationToken);
        var concertId = concerts[0].GetProperty("id").GetInt32();
        var seats = await client.GetFromJsonAsync<JsonElement>($"/api/concerts/{concertId.ToString(CultureInfo.InvariantCulture)}/seats", cancellationToken);
        return seats.EnumerateArray().Single(s => s.GetProperty("id").GetInt32() == seatId).GetProperty("status").GetString();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
        if (_timeProvider is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(_timeProvider)));
        }
    }
}

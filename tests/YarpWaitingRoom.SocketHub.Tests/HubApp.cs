using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing.Hub;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.SocketHub.Tests;

/// <summary>One real socket hub on real Redis, hosted in process; several may share a room to play two hubs.</summary>
public sealed class HubApp : WebApplicationFactory<Program>
{
    public const string SigningSecret = "test-signing-secret-test-signing-secret";

    private readonly Dictionary<string, string?> _settings;

    // extraSettings: any other configuration keys (e.g. SocketHub:DrainTimeout).
    public HubApp(string redis, string room, string instance, IReadOnlyDictionary<string, string?>? roomSettings = null, string pushInterval = "00:00:01", IReadOnlyDictionary<string, string?>? extraSettings = null)
    {
        Room = room;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Redis"] = redis,
            ["WaitingRoom:SigningKeys:test"] = SigningSecret,
            ["SocketHub:InstanceName"] = instance,
            ["SocketHub:PushInterval"] = pushInterval,
            ["SocketHub:HeartbeatFlushInterval"] = "00:00:00.200",
            [$"WaitingRoom:Rooms:{room}:MaxActive"] = "5000",
            ["Logging:LogLevel:Default"] = "Warning",
            // All test clients share one address: per-address limits as raised as the local stack raises them, unless a
            // test sets its own.
            ["WaitingRoom:RateLimits:VisitorPerSecond"] = "100000",
            ["WaitingRoom:RateLimits:VisitorBurst"] = "100000",
            ["SocketHub:MaxSocketsPerAddress"] = "100000",
        };
        foreach (var (key, value) in roomSettings ?? new Dictionary<string, string?>())
        {
            _settings[$"WaitingRoom:Rooms:{room}:{key}"] = value;
        }

        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string Room { get; }

    /// <summary>A signing service with the hub's key, for making tickets as the proxy would.</summary>
    internal static TokenService Tokens { get; } = new([new SigningKey("test", System.Text.Encoding.UTF8.GetBytes(SigningSecret))]);

    /// <summary>The ticket token the proxy would have issued at the join, carrying <paramref name="returnUrl"/> when given.</summary>
    public static string TicketFor(string room, string visitor, string ticket, TimeSpan? lifetime = null, string? returnUrl = null) =>
        Tokens.Issue(TokenKind.Ticket, room, visitor, ticket, DateTimeOffset.UtcNow + (lifetime ?? TimeSpan.FromHours(1)), returnUrl);

    public RoomOptions RoomOptions => Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WaitingRoomOptions>>().Value.Rooms[Room];

    internal QueueStore Queue(IConnectionMultiplexer redis) => new(redis, Room, RoomOptions, TimeProvider.System);

    /// <summary>The <c>wr_vid</c> cookie value the proxy would have given <paramref name="visitor"/>'s browser.</summary>
    public static string VisitorCookieFor(string visitor) =>
        Tokens.Issue(TokenKind.Visitor, string.Empty, visitor, string.Empty, DateTimeOffset.UtcNow + TimeSpan.FromDays(1));

    /// <summary>The <c>Cookie</c> header of <paramref name="visitor"/>'s browser (its <c>wr_vid</c>).</summary>
    public static string CookieFor(string visitor) => $"{VisitorCookie.Name}={VisitorCookieFor(visitor)}";

    /// <summary>A client for a ticket, as the browser of the visitor who joined with it (its <c>wr_vid</c>).</summary>
    public static HubClient ClientFor(string visitor, string ticket, string token) =>
        new() { Ticket = ticket, Token = token, Cookie = CookieFor(visitor) };

    /// <summary>
    /// Opens <c>/ws</c> for a ticket, as the browser of <paramref name="visitor"/> (its <c>wr_vid</c> cookie; none when
    /// null) and from the page of <paramref name="origin"/> (no <c>Origin</c> when null).
    /// </summary>
    public Task<WebSocket> ConnectAsync(string ticketToken, CancellationToken cancellationToken, string? visitor = null, string? origin = null) =>
        OpenSocketAsync(ticketToken, visitor is null ? null : CookieFor(visitor), origin, cancellationToken);

    /// <summary>Opens <c>/ws</c> for a ticket with these <c>Cookie</c> and <c>Origin</c> headers (none when null).</summary>
    public async Task<WebSocket> OpenSocketAsync(string ticketToken, string? cookie, string? origin, CancellationToken cancellationToken)
    {
        var client = Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            if (cookie is not null)
            {
                request.Headers.Cookie = cookie;
            }

            if (origin is not null)
            {
                request.Headers.Origin = origin;
            }
        };
        return await client.ConnectAsync(HubClient.SocketUri(Server.BaseAddress, Room, ticketToken), cancellationToken);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(_settings));
    }
}

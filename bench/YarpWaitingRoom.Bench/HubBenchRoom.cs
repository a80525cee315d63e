using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using StackExchange.Redis;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Queue;
using YarpWaitingRoom.Testing.Hub;
using YarpWaitingRoom.Tokens;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// A visitor waiting in the bench room: its ticket id, the signed ticket a WebSocket presents, and the <c>Cookie</c>
/// header of its browser (its <c>wr_vid</c>: the hubs deliver the notice with the entry link only to the ticket's visitor).
/// </summary>
internal sealed record HubVisitor(string Visitor, string Ticket, string SignedTicket, string Cookie);

/// <summary>
/// A throwaway room (<c>&lt;prefix&gt;-&lt;random&gt;</c>) in the stack's Redis for the hub scenarios: its
/// <see cref="QueueStore"/>, a fresh signing key the hubs are given, and visitors joined straight through the store.
/// Disposing unlinks the room's keys.
/// </summary>
internal sealed class HubBenchRoom : IAsyncDisposable
{
    public const string SigningKeyId = "bench";

    private const int JoinsInFlight = 500;
    private const string ReturnUrl = "/";

    private static readonly TimeSpan TicketLifetime = TimeSpan.FromHours(1);

    private readonly ConnectionMultiplexer _redis;
    private readonly TokenService _tokens;

    private HubBenchRoom(ConnectionMultiplexer redis, string name, int maxActive)
    {
        _redis = redis;
        Name = name;
        var secret = RandomNumberGenerator.GetBytes(48);
        // Base64 of 48 bytes: the hub's configuration decodes it back to the same bytes.
        SigningSecret = Convert.ToBase64String(secret);
        _tokens = new TokenService([new SigningKey(SigningKeyId, secret)]);
        Queue = new QueueStore(redis, name, new RoomOptions { MaxActive = maxActive }, TimeProvider.System);
    }

    public string Name { get; }

    /// <summary>The signing secret as the hubs are configured with it (base64).</summary>
    public string SigningSecret { get; }

    public QueueStore Queue { get; }

    public IConnectionMultiplexer Redis => _redis;

    public static async Task<HubBenchRoom> CreateAsync(string prefix, int maxActive)
    {
        var name = prefix + "-" + Guid.NewGuid().ToString("N")[..8];
        return new HubBenchRoom(await RedisInfo.ConnectAsync(), name, maxActive);
    }

    /// <summary>Joins <paramref name="count"/> new visitors (waiting, in order) and signs their tickets.</summary>
    public async Task<HubVisitor[]> JoinAsync(int count, CancellationToken cancellationToken)
    {
        var visitors = new HubVisitor[count];
        var expires = DateTimeOffset.UtcNow + TicketLifetime;
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(JoinsInFlight, count)).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var visitor = "v" + TicketIds.New();
                var joined = await Queue.JoinAsync(visitor, queueOff: false);
                var cookie = $"{VisitorCookie.Name}={_tokens.Issue(TokenKind.Visitor, string.Empty, visitor, string.Empty, expires)}";
                visitors[index] = new HubVisitor(visitor, joined.Ticket, _tokens.Issue(TokenKind.Ticket, Name, visitor, joined.Ticket, expires, ReturnUrl), cookie);
            }
        }));
        Console.WriteLine($"  joined {count:N0} visitors to room {Name} in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return visitors;
    }

    /// <summary>
    /// <paramref name="requested"/> sessions, or fewer when this process's open-file limit (soft <c>ulimit -n</c>, which
    /// the hubs inherit too) leaves no room for that many sockets plus a margin; says so when it lowers the count.
    /// </summary>
    public static int FitToFileLimit(int requested)
    {
        const int Margin = 1024;
        var limit = OpenFilesLimit();
        if (limit is null || requested + Margin <= limit)
        {
            return requested;
        }

        var fitted = (int)Math.Max(1, limit.Value - Margin);
        Console.WriteLine($"  WARNING: open-file limit (ulimit -n) is {limit}: {fitted:N0} sessions instead of {requested:N0}; raise it (ulimit -n 65536) for the full run");
        return fitted;
    }

    /// <summary>The soft limit on open files ("Max open files" in <c>/proc/self/limits</c>); null if unknown or unlimited.</summary>
    private static long? OpenFilesLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux: no check.
        }

        return null;
    }

    /// <summary><c>ws://…/ws?room=…&amp;t=…</c> on <paramref name="hub"/> for <paramref name="visitor"/>.</summary>
    public Uri SocketUri(ServiceProcess hub, HubVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(visitor);
        return HubClient.SocketUri(hub.Url, Name, visitor.SignedTicket);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var removed = await RedisInfo.UnlinkAsync(_redis, $"{{wr:{Name}}}:*");
            Console.WriteLine($"  removed the {removed} keys of room {Name}");
        }
        finally
        {
            await _redis.DisposeAsync();
        }
    }
}

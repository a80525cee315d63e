using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench;

/// <summary>A room as the admin API shows it (<c>GET /_wr/admin/rooms/&lt;room&gt;</c>), the part the rehearsals watch.</summary>
internal sealed record RoomStatus(bool QueueOn, string Reason, long Waiting, long Active)
{
    /// <summary>What the room knows is left to sell; null when it knows no inventory.</summary>
    public long? InventoryRemaining { get; init; }

    /// <summary>The room's inventory is known and nothing is left.</summary>
    public bool SoldOut { get; init; }

    /// <summary>The room's mode (Auto, On, Off, Paused); "?" when the view has none.</summary>
    public string Mode { get; init; } = "?";

    /// <summary>The edge tier's rate the switch last evaluated (requests in the last whole second).</summary>
    public double RatePerSecond { get; init; }

    public const string AdminKeyHeader = "X-WaitingRoom-Admin-Key";

    /// <summary>Reads the room; any other answer is an <see cref="UnexpectedAnswerException"/> (step <c>admin</c>).</summary>
    public static async Task<RoomStatus> ReadAsync(HttpClient admin, string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        using var response = await admin.GetAsync(new Uri($"/_wr/admin/rooms/{room}", UriKind.Relative), cancellationToken);
        var answer = await Answer.ReadAsync("admin", response, cancellationToken);
        if (answer.Status != 200)
        {
            throw answer.Unexpected();
        }

        var json = answer.Object();
        return new RoomStatus(
            answer.Boolean(json, "queueOn"),
            json.TryGetProperty("reason", out var reason) && reason.ValueKind == System.Text.Json.JsonValueKind.String ? reason.GetString() ?? "?" : "?",
            answer.Int64(json, "waiting"),
            answer.Int64(json, "active"))
        {
            InventoryRemaining = json.TryGetProperty("inventoryRemaining", out var remaining) && remaining.ValueKind == System.Text.Json.JsonValueKind.Number
                ? remaining.GetInt64()
                : null,
            SoldOut = json.TryGetProperty("soldOut", out var soldOut) && soldOut.ValueKind == System.Text.Json.JsonValueKind.True,
            Mode = json.TryGetProperty("mode", out var mode) && mode.ValueKind == System.Text.Json.JsonValueKind.String ? mode.GetString() ?? "?" : "?",
            RatePerSecond = json.TryGetProperty("ratePerSecond", out var rate) && rate.ValueKind == System.Text.Json.JsonValueKind.Number ? rate.GetDouble() : 0,
        };
    }

    /// <summary>Tells the room what is left to sell, as an operator would (<c>PUT …/inventory</c>); anything but 2xx throws.</summary>
    public static async Task SetInventoryAsync(HttpClient admin, string room, int remaining, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        using var content = System.Net.Http.Json.JsonContent.Create(new Dictionary<string, int>(StringComparer.Ordinal) { ["remaining"] = remaining });
        using var response = await admin.PutAsync(new Uri($"/_wr/admin/rooms/{room}/inventory", UriKind.Relative), content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw (await Answer.ReadAsync("admin inventory", response, cancellationToken)).Unexpected();
        }
    }

    /// <summary>Empties the room (<c>POST …/reset</c>: waiting, active, inventory, mode); anything but 2xx throws.</summary>
    public static async Task ResetAsync(HttpClient admin, string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        using var response = await admin.PostAsync(new Uri($"/_wr/admin/rooms/{room}/reset", UriKind.Relative), content: null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw (await Answer.ReadAsync("admin reset", response, cancellationToken)).Unexpected();
        }
    }

    /// <summary>Forces the room's mode (<c>On</c>, <c>Auto</c>, …); any answer but 2xx is an <see cref="UnexpectedAnswerException"/>.</summary>
    public static async Task SetModeAsync(HttpClient admin, string room, string mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admin);
        using var content = System.Net.Http.Json.JsonContent.Create(new Dictionary<string, string>(StringComparer.Ordinal) { ["mode"] = mode });
        using var response = await admin.PutAsync(new Uri($"/_wr/admin/rooms/{room}/mode", UriKind.Relative), content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw (await Answer.ReadAsync("admin mode", response, cancellationToken)).Unexpected();
        }
    }

    /// <summary>An admin API client for <paramref name="baseUrl"/> with the key (when there is one).</summary>
    public static HttpClient CreateAdminClient(Uri baseUrl, string? adminKey)
    {
        var admin = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(5) };
        if (adminKey is not null)
        {
            admin.DefaultRequestHeaders.Add(AdminKeyHeader, adminKey);
        }

        return admin;
    }
}

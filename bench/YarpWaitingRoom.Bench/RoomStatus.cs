using YarpWaitingRoom.Bench.Errors;

namespace YarpWaitingRoom.Bench;

/// <summary>A room as the admin API shows it (<c>GET /_wr/admin/rooms/&lt;room&gt;</c>), the part the rehearsals watch.</summary>
internal sealed record RoomStatus(bool QueueOn, string Reason, long Waiting, long Active)
{
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
            answer.Int64(json, "active"));
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

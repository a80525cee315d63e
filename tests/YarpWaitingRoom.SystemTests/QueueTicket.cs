using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.SystemTests;

/// <summary>A place in the room of <c>/api</c> (or of another gated path), taken through the edge as an API client while the queue is on.</summary>
/// <param name="Token">The signed ticket (what <c>t=</c> carries).</param>
/// <param name="Id">The ticket id inside it (the room's Redis key member).</param>
/// <param name="VisitorCookie">The <c>wr_vid</c> value the join set (the hubs send the entry link only with it); null when none was set.</param>
internal sealed record QueueTicket(string Token, string Id, string? VisitorCookie)
{
    /// <summary>The <c>Cookie</c> header a browser of this visitor sends (empty without a visitor cookie).</summary>
    public string CookieHeader => VisitorCookie is null ? string.Empty : "wr_vid=" + VisitorCookie;

    /// <summary>
    /// Joins; a busy gate (503 problem <c>busy</c>: Redis slow on a loaded machine) is asked again after its
    /// Retry-After, as a client should. A busy answer never takes a place, so nothing is joined twice.
    /// </summary>
    public static Task<QueueTicket> JoinAsync(HttpClient edge, CancellationToken cancellationToken) => JoinAsync(edge, "/api/concerts", cancellationToken);

    /// <summary>The same at the gated <paramref name="path"/> (another room's route).</summary>
    public static async Task<QueueTicket> JoinAsync(HttpClient edge, string path, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await edge.SendAsync(request, cancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (body.TryGetProperty("ticket", out var ticket))
            {
                return FromAnswer(ticket.GetString()!, response);
            }

            Assert.True(attempt < MaxAttempts, $"no ticket after {attempt} joins: {body}");
            Assert.Equal("urn:yarp-waiting-room:problem:busy", body.GetProperty("type").GetString());
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private const int MaxAttempts = 5;

    private static QueueTicket FromAnswer(string token, HttpResponseMessage response)
    {
        // The ticket id is the fourth field of the signed payload (kind|room|visitor|ticket|expiry).
        var payload = Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]));
        string? visitorCookie = null;
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            foreach (var cookie in cookies)
            {
                if (cookie.StartsWith("wr_vid=", StringComparison.Ordinal))
                {
                    visitorCookie = cookie["wr_vid=".Length..].Split(';')[0];
                }
            }
        }

        return new QueueTicket(token, payload.Split('|')[3], visitorCookie);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace YarpWaitingRoom.SystemTests;

/// <summary>A place in the room of <c>/api</c>, taken through the edge as an API client while the queue is on.</summary>
/// <param name="Token">The signed ticket (what <c>t=</c> carries).</param>
/// <param name="Id">The ticket id inside it (the room's Redis key member).</param>
internal sealed record QueueTicket(string Token, string Id)
{
    public static async Task<QueueTicket> JoinAsync(HttpClient edge, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/concerts");
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await edge.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("ticket").GetString()!;
        // The ticket id is the fourth field of the signed payload (kind|room|visitor|ticket|expiry).
        var payload = Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1]));
        return new QueueTicket(token, payload.Split('|')[3]);
    }
}

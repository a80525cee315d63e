namespace YarpWaitingRoom.Bench;

/// <summary>What the benches that replay an admitted visitor share: getting admitted once.</summary>
internal static class AdmissionCookies
{
    /// <summary>
    /// One request without cookies to <paramref name="path"/> while <paramref name="room"/> admits at once (queue off,
    /// nobody waiting): it is admitted and proxied. Returns its cookies (<c>wr_vid</c> and the room's) as a Cookie header.
    /// </summary>
    public static async Task<string> AdmitOnceAsync(HttpClient client, string path, string room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await client.SendAsync(request, cancellationToken);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).Where(c => c.StartsWith("wr_vid=", StringComparison.Ordinal) || c.StartsWith($"wr_{room}=", StringComparison.Ordinal)).ToArray()
            : [];
        if (!response.IsSuccessStatusCode || cookies.Length != 2)
        {
            throw new HttpRequestException($"expected 200 with cookies wr_vid and wr_{room} on the first {path}, got {(int)response.StatusCode} with [{string.Join("; ", cookies)}]");
        }

        return string.Join("; ", cookies);
    }
}

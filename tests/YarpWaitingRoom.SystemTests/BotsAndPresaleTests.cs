using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YarpWaitingRoom.Invitations;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// Issue 16 through the edge (nginx, both proxies): an API client is given a proof-of-work challenge instead of a place,
/// solves it and joins, and its proof is refused when replayed, whichever proxy gets it; an invite-only room refuses a
/// missing or forged key and takes a valid one, the same place from any client.
/// </summary>
[Collection(JourneyGroup.Name)]
public sealed class BotsAndPresaleTests(JourneyTopology topology) : IAsyncDisposable
{
    /// <summary>A failed test's output gets what the stack logged.</summary>
    public ValueTask DisposeAsync() => topology.Stack.ExplainFailureAsync();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = topology.Edge };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request, Cancellation);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
    }

    [Fact]
    public async Task ApiClient_SolvesTheChallenge_AndJoins_ThenItsProofIsRefusedOnEitherProxy()
    {
        using var client = Client();

        var (status, body) = await GetAsync(client, "/bots/api/concerts");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var challenge = body.GetProperty("challenge");
        Assert.Equal(int.Parse(JourneyTopology.BotsDifficulty, System.Globalization.CultureInfo.InvariantCulture), challenge.GetProperty("difficulty").GetInt32());
        var prefix = challenge.GetProperty("prefix").GetString()!;
        var proof = Challenges.ChallengeService.FormatProof(prefix, Challenges.ProofSolver.Solve(prefix, challenge.GetProperty("difficulty").GetInt32(), cancellationToken: Cancellation).Nonce);

        var (joinedStatus, joined) = await GetAsync(client, "/bots/api/concerts", ("X-WaitingRoom-Proof", proof));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, joinedStatus);
        var ticket = joined.GetProperty("ticket").GetString()!;
        using (var leave = new HttpRequestMessage(HttpMethod.Post, $"/_wr/rooms/bots/tickets/{Uri.EscapeDataString(ticket)}/leave"))
        {
            leave.Headers.Add("Sec-Fetch-Site", "same-origin");
            using var left = await client.SendAsync(leave, Cancellation);
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }

        // The edge spreads requests over both proxies: each of several replays is refused, whichever proxy gets it.
        for (var i = 0; i < 4; i++)
        {
            var (replayStatus, replay) = await GetAsync(client, "/bots/api/concerts", ("X-WaitingRoom-Proof", proof));
            Assert.Equal(HttpStatusCode.Forbidden, replayStatus);
            Assert.Equal("urn:yarp-waiting-room:problem:proof-replayed", replay.GetProperty("type").GetString());
        }
    }

    [Fact]
    public async Task InvitationRoom_RefusesAMissingOrForgedKey_AndTakesAValidOne_TheSamePlaceFromAnyClient()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var valid = InvitationKeys.Sign(JourneyTopology.MembersSecret, "members", "fan-0007", expires);
        var forged = InvitationKeys.Sign("not-the-members-secret-not-the-secret", "members", "fan-0007", expires);
        using var phone = Client();
        using var laptop = Client();

        var (missingStatus, missing) = await GetAsync(phone, "/members/api/concerts");
        var (forgedStatus, forgedAnswer) = await GetAsync(phone, "/members/api/concerts", ("X-WaitingRoom-Access", forged));
        var (firstStatus, first) = await GetAsync(phone, "/members/api/concerts", ("X-WaitingRoom-Access", valid));
        var (_, again) = await GetAsync(laptop, "/members/api/concerts?wr_access=" + Uri.EscapeDataString(valid));
        var (_, withoutKey) = await GetAsync(phone, "/members/api/concerts");

        Assert.Equal(HttpStatusCode.Forbidden, missingStatus);
        Assert.Equal("urn:yarp-waiting-room:problem:invitation-required", missing.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, forgedStatus);
        Assert.Equal("urn:yarp-waiting-room:problem:invalid-invitation", forgedAnswer.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, firstStatus);
        var place = PlaceOf(first);
        Assert.Equal(place, PlaceOf(again));
        Assert.Equal(place, PlaceOf(withoutKey));
    }

    /// <summary>The place id inside a queued answer's signed ticket (kind|room|visitor|ticket|expiry).</summary>
    private static string PlaceOf(JsonElement queued) =>
        System.Text.Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(queued.GetProperty("ticket").GetString()!.Split('.')[1])).Split('|')[3];
}

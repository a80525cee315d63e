using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using StackExchange.Redis;
using YarpWaitingRoom.Testing;
using YarpWaitingRoom.Yarp.Endpoints;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Endpoints;

/// <summary>
/// The published draw: <c>GET /_wr/rooms/{room}/event/participants</c> and the README's verifier, run against a real draw
/// made by the proxy's own admission scheduler at the sale's start.
/// </summary>
public sealed class PublishedDrawTests(RedisFixture redis) : ProxyTestBase(redis)
{
    private const int Visitors = 20;
    private const int ManyParticipants = 25_000;
    private const int FillChunk = 5_000;
    private static readonly TimeSpan UntilStart = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan DrawDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ReadmeVerifier_OnARealDraw_Passes_AndFailsOnATamperedParticipantList()
    {
        await using var app = App();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        await ScheduleAsync(app, "Lottery");

        // Every visitor is a new API client (no cookie), from an address of its own: each gets a 503 and a receipt.
        var joined = new List<string>();
        for (var i = 0; i < Visitors; i++)
        {
            using var request = Api(HttpMethod.Get, "/api/echo");
            request.Headers.Add("X-Forwarded-For", string.Create(CultureInfo.InvariantCulture, $"10.{i}.0.1"));
            using var response = await client.SendAsync(request, Cancellation);
            AssertStatus(HttpStatusCode.ServiceUnavailable, response);
            var body = await response.JsonAsync();
            Assert.Equal("prequeue", body.GetProperty("state").GetString());
            Assert.Equal(JsonValueKind.Null, body.GetProperty("position").ValueKind);
            joined.Add(body.GetProperty("receipt").GetString()!);
        }

        await WaitDrawnAsync(client, app.Room);
        var directory = Directory.CreateTempSubdirectory("verify-draw-");
        try
        {
            var (eventFile, participantsFile) = await DownloadAsync(client, app.Room, directory.FullName);
            var lines = await File.ReadAllLinesAsync(participantsFile, Cancellation);
            var published = lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("receipt").GetString()!).ToArray();

            var verified = await ReadmeVerifier.RunAsync(directory.FullName, eventFile, participantsFile);

            Assert.True(verified.ExitCode == 0, verified.Output);
            Assert.StartsWith("OK: 20 participants", verified.Output, StringComparison.Ordinal);
            Assert.Equal(joined.Order(StringComparer.Ordinal), published.Order(StringComparer.Ordinal));

            // The first two receipts trade places (positions kept), then one participant is left out.
            var swapped = (string[])lines.Clone();
            (swapped[0], swapped[1]) = (lines[0].Replace("\"position\":1,", "\"position\":2,", StringComparison.Ordinal), lines[1].Replace("\"position\":2,", "\"position\":1,", StringComparison.Ordinal));
            foreach (var (name, tampered) in new[] { ("swapped", swapped), ("dropped", lines[1..]) })
            {
                var file = Path.Combine(directory.FullName, name + ".ndjson");
                await File.WriteAllLinesAsync(file, tampered, Cancellation);

                var rejected = await ReadmeVerifier.RunAsync(directory.FullName, eventFile, file);

                Assert.True(rejected.ExitCode == 1, $"{name}: exit code {rejected.ExitCode}: {rejected.Output}");
                Assert.Contains("FAILED", rejected.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ReadmeVerifier_OnAFifoSale_ChecksCommitmentAndDigest_AndSaysTheOrderCannotBeChecked()
    {
        await using var app = App();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        await ScheduleAsync(app, "Fifo");
        await FillPrequeueAsync(app, 50);
        await WaitDrawnAsync(client, app.Room);
        var directory = Directory.CreateTempSubdirectory("verify-draw-");
        try
        {
            var (eventFile, participantsFile) = await DownloadAsync(client, app.Room, directory.FullName);

            var verified = await ReadmeVerifier.RunAsync(directory.FullName, eventFile, participantsFile);

            Assert.True(verified.ExitCode == 2, $"exit code {verified.ExitCode}: {verified.Output}");
            Assert.StartsWith("commitment and digest OK; order Fifo", verified.Output, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Participants_BeforeTheDraw_Answer404EventNotDrawn_AndWithoutAnEvent404EventNotFound()
    {
        await using var app = App();
        using var admin = AdminClient(app);
        using var visitor = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        using (var none = await visitor.GetAsync($"/_wr/rooms/{app.Room}/event/participants", Cancellation))
        {
            AssertStatus(HttpStatusCode.NotFound, none);
            Assert.Equal("urn:yarp-waiting-room:problem:event-not-found", (await none.JsonAsync()).GetProperty("type").GetString());
        }

        var starts = DateTimeOffset.UtcNow.AddHours(1);
        using (var put = await admin.PutAsJsonAsync($"/_wr/admin/rooms/{app.Room}/event", new { name = "later", prequeueOpensAt = Iso(DateTimeOffset.UtcNow), startsAt = Iso(starts) }, Cancellation))
        {
            AssertStatus(HttpStatusCode.OK, put);
        }

        using var early = await visitor.GetAsync($"/_wr/rooms/{app.Room}/event/participants", Cancellation);

        AssertStatus(HttpStatusCode.NotFound, early);
        Assert.Equal("urn:yarp-waiting-room:problem:event-not-drawn", (await early.JsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Participants_OfALargeDraw_StreamEveryReceiptByPosition_AcrossReads_WithTheDigestAsETag_And304ForIt()
    {
        Assert.True(ManyParticipants > 2 * EventApi.ParticipantsPerRead);
        await using var app = App();
        using var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        await ScheduleAsync(app, "Lottery");
        await FillPrequeueAsync(app, ManyParticipants);

        await WaitDrawnAsync(client, app.Room);
        var document = await client.GetFromJsonAsync<JsonElement>($"/_wr/rooms/{app.Room}/event", Cancellation);
        var digest = document.GetProperty("digest").GetString()!;
        var drawn = (await app.Redis().ListRangeAsync(app.Keys().Participants)).Select(r => (string)r!).ToArray();
        using var response = await client.GetAsync($"/_wr/rooms/{app.Room}/event/participants", HttpCompletionOption.ResponseHeadersRead, Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // read line by line below, not buffered as AssertStatus would
        var read = 0;
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancellation)))
        {
            while (await reader.ReadLineAsync(Cancellation) is { } line)
            {
                var entry = JsonDocument.Parse(line).RootElement;
                Assert.Equal(read + 1, entry.GetProperty("position").GetInt64());
                Assert.Equal(drawn[read], entry.GetProperty("receipt").GetString());
                read++;
            }
        }

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/_wr/rooms/{app.Room}/event/participants");
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"" + digest + "\""));
        using var notModified = await client.SendAsync(conditional, Cancellation);

        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("\"" + digest + "\"", response.Headers.ETag!.Tag);
        Assert.Equal(ManyParticipants, document.GetProperty("participants").GetInt64());
        Assert.Equal(ManyParticipants, drawn.Length);
        Assert.Equal(ManyParticipants, read);
        AssertStatus(HttpStatusCode.NotModified, notModified);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Cancellation));
    }

    private static string Iso(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// Schedules a sale whose pre-queue is open now and which starts <see cref="UntilStart"/> from now (the proxy is
    /// started first, so the time goes to the visitors, not to the host's start).
    /// </summary>
    private static async Task ScheduleAsync(ProxyApp app, string order)
    {
        using var admin = AdminClient(app);
        using (await admin.GetAsync($"/_wr/admin/rooms/{app.Room}/event", Cancellation))
        {
        }

        var now = DateTimeOffset.UtcNow;
        using var put = await admin.PutAsJsonAsync(
            $"/_wr/admin/rooms/{app.Room}/event",
            new { name = "Verifiable", prequeueOpensAt = Iso(now), startsAt = Iso(now + UntilStart), order },
            Cancellation);
        AssertStatus(HttpStatusCode.OK, put);
    }

    /// <summary>Participants added straight to the pre-queue (visitor → arrival number) and its arrivals counter, as join.lua would.</summary>
    private static async Task FillPrequeueAsync(ProxyApp app, int count)
    {
        var db = app.Redis();
        var keys = app.Keys();
        var writes = new List<Task>();
        for (var start = 0; start < count; start += FillChunk)
        {
            var entries = Enumerable.Range(start + 1, Math.Min(FillChunk, count - start))
                .Select(arrival => new SortedSetEntry("fan" + arrival.ToString(CultureInfo.InvariantCulture), arrival))
                .ToArray();
            writes.Add(db.SortedSetAddAsync(keys.Prequeue, entries));
        }

        writes.Add(db.HashSetAsync(keys.Schedule, "arrivals", count));
        await Task.WhenAll(writes);
    }

    private static async Task WaitDrawnAsync(HttpClient client, string room) =>
        Assert.True(
            await EventuallyAsync(
                async () => (await client.GetFromJsonAsync<JsonElement>($"/_wr/rooms/{room}/event", Cancellation)).GetProperty("state").GetString() == "drawn",
                DrawDeadline),
            "the sale was not drawn");

    private static async Task<(string Event, string Participants)> DownloadAsync(HttpClient client, string room, string directory)
    {
        var eventFile = Path.Combine(directory, "event.json");
        var participantsFile = Path.Combine(directory, "participants.ndjson");
        await File.WriteAllBytesAsync(eventFile, await client.GetByteArrayAsync($"/_wr/rooms/{room}/event", Cancellation), Cancellation);
        await File.WriteAllBytesAsync(participantsFile, await client.GetByteArrayAsync($"/_wr/rooms/{room}/event/participants", Cancellation), Cancellation);
        return (eventFile, participantsFile);
    }
}

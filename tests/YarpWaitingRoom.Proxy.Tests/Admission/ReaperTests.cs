using System.Net;
using YarpWaitingRoom.Testing;
using static YarpWaitingRoom.Proxy.Tests.ProxyTestContext;

namespace YarpWaitingRoom.Proxy.Tests.Admission;

/// <summary>The reaper: a waiting visitor unseen for <c>AbandonAfter</c> loses the place.</summary>
public sealed class ReaperTests(RedisFixture redis) : ProxyTestBase(redis)
{
    [Fact]
    public async Task WaitingVisitor_WhoStopsPolling_IsReaped_WithAnAbandonedEvent()
    {
        // Paused, so no admission can take the place (a long AdmitInterval is not enough: its ticks are aligned to the
        // wall clock, and a run that straddles one admits the visitor): only the reaper can empty the waiting set.
        await using var app = App(mode: "Paused", settings: new() { ["AbandonAfter"] = "00:00:02", ["HeartbeatInterval"] = "00:00:01" });
        using var client = app.CreateBrowser();
        using var queued = await client.QueuedAsync();
        AssertStatus(HttpStatusCode.ServiceUnavailable, queued);

        Assert.True(await EventuallyAsync(
            async () => await app.Redis().SortedSetLengthAsync(app.Keys().Waiting) == 0,
            TimeSpan.FromSeconds(5)));
        var events = await app.Redis().StreamRangeAsync(app.Keys().Events);
        Assert.Single(events, e => e["type"] == "abandoned");
    }
}

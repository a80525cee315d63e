using System.Globalization;

namespace YarpWaitingRoom.SystemTests;

/// <summary>
/// One stack for the end-to-end journeys, with seconds-scale timings. Room <c>concert</c> (the reservation API at
/// <c>/api</c>) admits one visitor at a time with slow ticks, so an admission that follows an abandonment at once is
/// told apart from one at the next tick; room <c>journey</c> (the same API at <c>/journey/api</c>) ticks every 2 s and
/// switches at 10 / 40 / 60 requests per second with a 3-second debounce; room <c>spike</c> (at <c>/spike/api</c>) has the
/// same timings and belongs to the spike rehearsal alone, so no other test's traffic or forced mode is in its switch state.
/// Rooms <c>presale</c> (at <c>/presale/api</c>) and <c>onsale</c> (at <c>/onsale/api</c>) hold scheduled sales: the first
/// one pre-queue left open for the accessibility check, the second sales that start within seconds for the browser's
/// countdown-to-admission journey; each is theirs alone, since an open pre-queue holds every visitor of its room. Rooms
/// <c>stock</c> (at <c>/stock/api</c>, keeps its queue when sold out) and <c>closed</c> (at <c>/closed/api</c>, closes once
/// sold out) are the accessibility check's sold-out pages.
/// Room <c>keepalive</c> (at <c>/keepalive/api</c>) is the keep-alive browser check's alone: its visitors are given up
/// after <see cref="KeepAliveAbandonAfter"/>, and the backend releases their holds as it does the <c>concert</c> room's.
/// Rooms <c>bots</c> (at <c>/bots/api</c>, a proof-of-work challenge) and <c>members</c> (at <c>/members/api</c>, invited
/// members only) keep their queue on and admit nobody (Paused): every place taken there stays a waiting ticket (with the
/// queue merely on, an admission tick between a join and the next call admitted the place: a leave then met 409).
/// Room <c>challenge</c> (at <c>/challenge/api</c>) asks a proof of work of <see cref="ChallengeDifficulty"/> bits before a
/// place: the challenge page's browser check and its accessibility check.
/// Room <c>console</c> (at <c>/console/api</c>, the default thresholds) is the operator console's: its browser check pauses it
/// and changes its MaxActive, so no other test's visitors are in it.
/// </summary>
public sealed class JourneyTopology : IAsyncLifetime
{
    public const string SlowTick = "00:00:20";

    /// <summary>How many of the <c>sale</c> room's visitors are admitted at once.</summary>
    public const string SaleMaxActive = "20";

    /// <summary>How long a <c>concert</c> visitor may go unseen before the place is given up.</summary>
    public const string ConcertAbandonAfter = "00:00:04";

    /// <summary>How long a <c>keepalive</c> visitor may go unseen before the session is given up.</summary>
    public const string KeepAliveAbandonAfter = "00:00:04";

    /// <summary>The <c>bots</c> room's proof-of-work difficulty (low: the tests solve it in .NET).</summary>
    public const string BotsDifficulty = "10";

    /// <summary>The <c>members</c> room's invitation secret (the ticket site's side of the test signs with it).</summary>
    public const string MembersSecret = "members-secret-members-secret-0042";

    /// <summary>How many leading zero bits the <c>challenge</c> room's proofs need: low, the browser solves it at once.</summary>
    public const string ChallengeDifficulty = "10";

    public StackRun Stack { get; } = StackRun.Create(new Dictionary<string, string?>
    {
        ["WaitingRoom__Rooms__concert__MaxActive"] = "1",
        ["WaitingRoom__Rooms__concert__AdmitInterval"] = SlowTick,
        ["WaitingRoom__Rooms__concert__AbandonAfter"] = ConcertAbandonAfter,
        ["WaitingRoom__Rooms__concert__HeartbeatInterval"] = "00:00:01",
        ["WaitingRoom__Rooms__journey__AdmitInterval"] = "00:00:02",
        ["WaitingRoom__Rooms__journey__OffThreshold"] = "10",
        ["WaitingRoom__Rooms__journey__OnThreshold"] = "40",
        ["WaitingRoom__Rooms__journey__SpikeThreshold"] = "60",
        ["WaitingRoom__Rooms__journey__Debounce"] = "00:00:03",
        ["ReverseProxy__Routes__journeyapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__journeyapi__Match__Path"] = "/journey/{**catch-all}",
        ["ReverseProxy__Routes__journeyapi__Metadata__WaitingRoom"] = "journey",
        ["ReverseProxy__Routes__journeyapi__Transforms__0__PathRemovePrefix"] = "/journey",
        ["WaitingRoom__Rooms__spike__AdmitInterval"] = "00:00:02",
        ["WaitingRoom__Rooms__spike__OffThreshold"] = "10",
        ["WaitingRoom__Rooms__spike__OnThreshold"] = "40",
        ["WaitingRoom__Rooms__spike__SpikeThreshold"] = "60",
        ["WaitingRoom__Rooms__spike__Debounce"] = "00:00:03",
        // The spike tool's new visitors all come from this machine's network.
        ["WaitingRoom__Rooms__spike__MaxPlacesPerNetwork"] = "0",
        ["ReverseProxy__Routes__spikeapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__spikeapi__Match__Path"] = "/spike/{**catch-all}",
        ["ReverseProxy__Routes__spikeapi__Metadata__WaitingRoom"] = "spike",
        ["ReverseProxy__Routes__spikeapi__Transforms__0__PathRemovePrefix"] = "/spike",
        ["WaitingRoom__Rooms__sale__AdmitInterval"] = "00:00:02",
        ["WaitingRoom__Rooms__sale__MaxActive"] = SaleMaxActive,
        ["ReverseProxy__Routes__saleapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__saleapi__Match__Path"] = "/sale/{**catch-all}",
        ["ReverseProxy__Routes__saleapi__Metadata__WaitingRoom"] = "sale",
        ["ReverseProxy__Routes__saleapi__Transforms__0__PathRemovePrefix"] = "/sale",
        ["WaitingRoom__Rooms__presale__AdmitInterval"] = "00:00:02",
        ["ReverseProxy__Routes__presaleapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__presaleapi__Match__Path"] = "/presale/{**catch-all}",
        ["ReverseProxy__Routes__presaleapi__Metadata__WaitingRoom"] = "presale",
        ["ReverseProxy__Routes__presaleapi__Transforms__0__PathRemovePrefix"] = "/presale",
        ["WaitingRoom__Rooms__onsale__AdmitInterval"] = "00:00:01",
        ["ReverseProxy__Routes__onsaleapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__onsaleapi__Match__Path"] = "/onsale/{**catch-all}",
        ["ReverseProxy__Routes__onsaleapi__Metadata__WaitingRoom"] = "onsale",
        ["ReverseProxy__Routes__onsaleapi__Transforms__0__PathRemovePrefix"] = "/onsale",
        ["WaitingRoom__Rooms__stock__AdmitInterval"] = "00:00:02",
        ["ReverseProxy__Routes__stockapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__stockapi__Match__Path"] = "/stock/{**catch-all}",
        ["ReverseProxy__Routes__stockapi__Metadata__WaitingRoom"] = "stock",
        ["ReverseProxy__Routes__stockapi__Transforms__0__PathRemovePrefix"] = "/stock",
        ["WaitingRoom__Rooms__closed__AdmitInterval"] = "00:00:02",
        ["WaitingRoom__Rooms__closed__WhenSoldOut"] = "Close",
        ["ReverseProxy__Routes__closedapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__closedapi__Match__Path"] = "/closed/{**catch-all}",
        ["ReverseProxy__Routes__closedapi__Metadata__WaitingRoom"] = "closed",
        ["ReverseProxy__Routes__closedapi__Transforms__0__PathRemovePrefix"] = "/closed",
        ["WaitingRoom__Rooms__keepalive__AbandonAfter"] = KeepAliveAbandonAfter,
        ["WaitingRoom__Rooms__keepalive__HeartbeatInterval"] = "00:00:01",
        ["ReverseProxy__Routes__keepaliveapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__keepaliveapi__Match__Path"] = "/keepalive/{**catch-all}",
        ["ReverseProxy__Routes__keepaliveapi__Metadata__WaitingRoom"] = "keepalive",
        ["ReverseProxy__Routes__keepaliveapi__Transforms__0__PathRemovePrefix"] = "/keepalive",
        ["WaitingRoom__Rooms__challenge__Challenge"] = "ProofOfWork",
        ["WaitingRoom__Rooms__challenge__ChallengeDifficulty"] = ChallengeDifficulty,
        ["ReverseProxy__Routes__challengeapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__challengeapi__Match__Path"] = "/challenge/{**catch-all}",
        ["ReverseProxy__Routes__challengeapi__Metadata__WaitingRoom"] = "challenge",
        ["ReverseProxy__Routes__challengeapi__Transforms__0__PathRemovePrefix"] = "/challenge",
        ["Reservation__WaitingRoomEvents__Rooms__1"] = "keepalive",
        ["WaitingRoom__Rooms__bots__Mode"] = "Paused",
        ["WaitingRoom__Rooms__bots__Challenge"] = "ProofOfWork",
        ["WaitingRoom__Rooms__bots__ChallengeDifficulty"] = BotsDifficulty,
        ["ReverseProxy__Routes__botsapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__botsapi__Match__Path"] = "/bots/{**catch-all}",
        ["ReverseProxy__Routes__botsapi__Metadata__WaitingRoom"] = "bots",
        ["ReverseProxy__Routes__botsapi__Transforms__0__PathRemovePrefix"] = "/bots",
        ["WaitingRoom__Rooms__members__Mode"] = "Paused",
        ["WaitingRoom__Rooms__members__Access"] = "Invitation",
        ["WaitingRoom__Rooms__members__InvitationSecrets__0"] = MembersSecret,
        ["ReverseProxy__Routes__membersapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__membersapi__Match__Path"] = "/members/{**catch-all}",
        ["ReverseProxy__Routes__membersapi__Metadata__WaitingRoom"] = "members",
        ["ReverseProxy__Routes__membersapi__Transforms__0__PathRemovePrefix"] = "/members",
        ["WaitingRoom__Rooms__console__AdmitInterval"] = "00:00:02",
        ["ReverseProxy__Routes__consoleapi__ClusterId"] = "reservation",
        ["ReverseProxy__Routes__consoleapi__Match__Path"] = "/console/{**catch-all}",
        ["ReverseProxy__Routes__consoleapi__Metadata__WaitingRoom"] = "console",
        ["ReverseProxy__Routes__consoleapi__Transforms__0__PathRemovePrefix"] = "/console",
        ["SocketHub__PushInterval"] = "00:00:02",
    }.Concat(StackRun.FunctionalRedisBudget).ToDictionary(StringComparer.Ordinal));

    public Uri Edge => Stack.Edge;

    public string RedisPort => Stack.Ports["STACK_REDIS_PORT"].ToString(CultureInfo.InvariantCulture);

    public Uri Prometheus => new($"http://127.0.0.1:{Stack.Ports["STACK_PROMETHEUS_PORT"].ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Every service's own address, for its /metrics.</summary>
    public IEnumerable<Uri> Services =>
        new[] { "STACK_PROXY_A_PORT", "STACK_PROXY_B_PORT", "STACK_HUB_A_PORT", "STACK_HUB_B_PORT", "STACK_BACKEND_A_PORT", "STACK_BACKEND_B_PORT" }
            .Select(p => new Uri($"http://127.0.0.1:{Stack.Ports[p].ToString(CultureInfo.InvariantCulture)}"));

    public async ValueTask InitializeAsync()
    {
        var up = await Stack.UpAsync(TestContext.Current.CancellationToken);
        if (up.ExitCode != 0)
        {
            throw new InvalidOperationException("./stack up failed:\n" + up.Output);
        }
    }

    public async ValueTask DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>The tests that share <see cref="JourneyTopology"/>'s stack.</summary>
[CollectionDefinition(Name)]
public sealed class JourneyGroup : ICollectionFixture<JourneyTopology>
{
    public const string Name = "journey stack";
}

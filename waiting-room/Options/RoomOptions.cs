using System.ComponentModel.DataAnnotations;

namespace YarpWaitingRoom.Options;

/// <summary>
/// One room, bound from <c>WaitingRoom:Rooms:&lt;room&gt;</c>. Rates are requests per second at the room's gated routes,
/// summed over all edge instances. Every duration may be set down to seconds.
/// </summary>
public sealed class RoomOptions : IValidatableObject
{
    /// <summary>
    /// The most <see cref="MaxActive"/> may be, configured or set at runtime (the admin API; prelude.lua's
    /// <c>MAX_ACTIVE_LIMIT</c> is the same number).
    /// </summary>
    internal const int MaxActiveLimit = 10_000_000;

    /// <summary>
    /// The most <see cref="MaxPlacesPerNetwork"/> may be, configured or set at runtime (the admin API; prelude.lua's
    /// <c>NETWORK_CAP_LIMIT</c> is the same number).
    /// </summary>
    internal const int MaxPlacesPerNetworkLimit = 1_000_000;

    /// <summary>
    /// Most visitors active (admitted) at once. An operator may set another value at runtime (the admin API, from 0: admit
    /// no one new), which holds until cleared or until the room is reset.
    /// </summary>
    [Range(1, MaxActiveLimit)]
    public int MaxActive { get; set; } = 5000;

    /// <summary>Time between admission batches (admission also runs at once when capacity frees).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan AdmitInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At or below this 10-second average (and nobody waiting) for <see cref="Debounce"/>, the queue turns off.</summary>
    [Range(0, int.MaxValue)]
    public int OffThreshold { get; set; } = 800;

    /// <summary>At or above this 10-second average for <see cref="Debounce"/>, the queue turns on.</summary>
    [Range(1, int.MaxValue)]
    public int OnThreshold { get; set; } = 1200;

    /// <summary>At or above this rate in the last second, the queue turns on at once.</summary>
    [Range(1, int.MaxValue)]
    public int SpikeThreshold { get; set; } = 1500;

    /// <summary>How long a sustained rate must hold before the switch moves (against flapping).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How often waiting clients heartbeat.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A visitor unseen this long loses their place.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an admission lasts, sliding with use.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SessionDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an admitted visitor has to use the entry link before the slot is given back.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>What the gate does with a visitor it cannot check because Redis does not answer (default <see cref="FailurePolicy.Open"/>).</summary>
    public FailurePolicy FailurePolicy { get; set; } = FailurePolicy.Open;

    /// <summary>The room's mode at start (default <see cref="RoomMode.Auto"/>: the traffic thresholds decide); the admin API changes it at runtime.</summary>
    public RoomMode Mode { get; set; } = RoomMode.Auto;

    /// <summary>
    /// With an inventory known (<c>X-WaitingRoom-Inventory</c> responses, the admin API), admission never lets the active
    /// visitors exceed <c>ceil(AdmitPerSeat × remaining)</c>, on top of <see cref="MaxActive"/>; <c>0</c> disables the rule
    /// (default 2: two shoppers per seat left, as some leave without buying).
    /// </summary>
    [Range(0.0, 1000.0)]
    public double AdmitPerSeat { get; set; } = 2.0;

    /// <summary>What new visitors get once the inventory is sold out (default <see cref="SoldOutPolicy.KeepQueue"/>).</summary>
    public SoldOutPolicy WhenSoldOut { get; set; } = SoldOutPolicy.KeepQueue;

    /// <summary>
    /// Whether a visitor without a place must solve a proof-of-work challenge first (default <see cref="ChallengeMode.None"/>);
    /// the admin API changes it, with <see cref="ChallengeDifficulty"/>, at runtime.
    /// </summary>
    public ChallengeMode Challenge { get; set; } = ChallengeMode.None;

    /// <summary>Leading zero bits of SHA-256 a proof needs (about 2^d hashes; 18 takes a phone's browser about a second).</summary>
    [Range(1, 32)]
    public int ChallengeDifficulty { get; set; } = 18;

    /// <summary>Who may take a place (default <see cref="RoomAccess.Open"/>).</summary>
    public RoomAccess Access { get; set; } = RoomAccess.Open;

    /// <summary>
    /// With <see cref="RoomAccess.Invitation"/>: the secrets the ticket site signs invitation keys with (HMAC-SHA-256),
    /// at least 32 bytes each; the first is current, every one listed verifies (rotation).
    /// </summary>
#pragma warning disable CA1819 // bound from configuration: an array is what the binder fills
    public string[] InvitationSecrets { get; set; } = [];
#pragma warning restore CA1819

    /// <summary>
    /// Most waiting places per client network (/24 for IPv4, /64 for IPv6) in this room, besides the per-address join
    /// rate limit; <c>0</c> turns the cap off. Generous by default (50): a venue or campus behind one NAT must not be
    /// locked out. An operator may set another value at runtime (the admin API, 0 turns it off), which holds until cleared
    /// or until the room is reset.
    /// </summary>
    [Range(0, MaxPlacesPerNetworkLimit)]
    public int MaxPlacesPerNetwork { get; set; } = 50;

    /// <summary>
    /// The room's name on the waiting page, per language (<c>DisplayName:ko</c>, <c>DisplayName:en</c>); a scheduled sale's
    /// name comes first. Each at most <see cref="RoomDisplayName.MaxLength"/> characters, no control characters.
    /// </summary>
    public RoomDisplayName DisplayName { get; set; } = new();

    /// <summary>
    /// Checks the rules across properties: Off &lt; On ≤ Spike thresholds, <see cref="AbandonAfter"/> longer than
    /// <see cref="HeartbeatInterval"/>, and display names of bounded length without control characters.
    /// </summary>
    /// <param name="validationContext">The validation context (unused).</param>
    /// <returns>One result per broken rule.</returns>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OffThreshold >= OnThreshold)
        {
            yield return new ValidationResult(
                $"OffThreshold ({OffThreshold}) must be below OnThreshold ({OnThreshold}), or the switch would flap.",
                [nameof(OffThreshold), nameof(OnThreshold)]);
        }

        if (OnThreshold > SpikeThreshold)
        {
            yield return new ValidationResult(
                $"OnThreshold ({OnThreshold}) must not exceed SpikeThreshold ({SpikeThreshold}).",
                [nameof(OnThreshold), nameof(SpikeThreshold)]);
        }

        if (AbandonAfter <= HeartbeatInterval)
        {
            yield return new ValidationResult(
                $"AbandonAfter ({AbandonAfter}) must be longer than HeartbeatInterval ({HeartbeatInterval}), or live visitors would be reaped.",
                [nameof(AbandonAfter), nameof(HeartbeatInterval)]);
        }

        if (Access == RoomAccess.Invitation && (InvitationSecrets.Length == 0 || !InvitationSecrets.All(Invitations.InvitationKeys.IsValidSecret)))
        {
            yield return new ValidationResult(
                $"An invitation room needs InvitationSecrets: at least one, each at least {Invitations.InvitationKeys.MinSecretLength} characters of printable ASCII.",
                [nameof(InvitationSecrets)]);
        }

        if (RoomDisplayName.Check("ko", DisplayName.Ko) is { } korean)
        {
            yield return new ValidationResult(korean, [nameof(DisplayName)]);
        }

        if (RoomDisplayName.Check("en", DisplayName.En) is { } english)
        {
            yield return new ValidationResult(english, [nameof(DisplayName)]);
        }
    }
}

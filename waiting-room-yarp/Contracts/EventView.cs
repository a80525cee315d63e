namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>
/// A room's scheduled sale as the admin and the public event documents show it: the seed only once drawn (before, its
/// commitment alone), the participants' count (in the pre-queue so far, then those drawn), and once drawn their digest,
/// the draw's time and how long it took.
/// </summary>
internal sealed record EventView(
    string Name,
    DateTimeOffset PrequeueOpensAt,
    DateTimeOffset StartsAt,
    string Order,
    string State,
    string SeedCommitment,
    string? Seed,
    long? Participants,
    string? Digest,
    DateTimeOffset? DrawnAt,
    long? DrawMilliseconds = null);

namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>
/// A room's scheduled sale as the admin and the public event documents show it: the seed only once drawn (before, its
/// commitment alone), then the participants' count, their digest and the draw's time.
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
    DateTimeOffset? DrawnAt);

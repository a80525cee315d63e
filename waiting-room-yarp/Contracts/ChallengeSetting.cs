namespace YarpWaitingRoom.Yarp.Contracts;

/// <summary>
/// A room's challenge, as the admin API takes it (<c>PUT /_wr/admin/rooms/&lt;room&gt;/challenge</c>) and shows it.
/// </summary>
/// <param name="Mode"><c>None</c> or <c>ProofOfWork</c>.</param>
/// <param name="Difficulty">Leading zero bits of SHA-256 a proof needs, 1-32; when setting, omitted keeps the current one.</param>
internal sealed record ChallengeSetting(string? Mode, int? Difficulty);

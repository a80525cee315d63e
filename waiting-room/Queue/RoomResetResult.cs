namespace YarpWaitingRoom.Queue;

/// <summary>What a reset of a room (<see cref="QueueStore.ResetAsync"/>) cleared.</summary>
/// <param name="Room">The room.</param>
/// <param name="Waiting">Visitors who were waiting, now without a place.</param>
/// <param name="Active">Sessions that were active, now ended (their cookies admit until their next refresh at most).</param>
/// <param name="KeysRemoved">Redis keys removed: the queue's own and the per-item ones (markers, rates, stats).</param>
/// <param name="StateVersion">The version of the room's state after the reset, announced as <c>state|&lt;version&gt;</c>.</param>
internal sealed record RoomResetResult(string Room, long Waiting, long Active, long KeysRemoved, long StateVersion);

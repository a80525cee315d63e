namespace YarpWaitingRoom.Queue;

/// <summary>An entry of a room's events stream as the operator console shows it (<see cref="QueueStore.ReadTimelineAsync"/>).</summary>
/// <param name="Id">The stream id.</param>
/// <param name="Fields">Its kept fields: <c>type</c>, <c>at</c> and the type's own (reason, queueOn, count, participants, operator, action, detail).</param>
internal sealed record TimelineEntry(string Id, IReadOnlyDictionary<string, string> Fields);

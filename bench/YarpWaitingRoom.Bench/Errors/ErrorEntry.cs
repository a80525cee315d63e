namespace YarpWaitingRoom.Bench.Errors;

/// <summary>One kind of error in a rehearsal: how often it happened and the first example seen.</summary>
internal sealed record ErrorEntry(string Kind, long Count, string Example);

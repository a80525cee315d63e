namespace YarpWaitingRoom.OpsTests.Docker;

/// <summary>One Dockerfile instruction: its keyword (upper case), its arguments with continuations joined, and its first line.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line);

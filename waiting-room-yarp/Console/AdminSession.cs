namespace YarpWaitingRoom.Yarp.Console;

/// <summary>An operator's console session, as its cookie states it (<see cref="AdminSessions"/> signs and checks it).</summary>
/// <param name="Id">32 hex digits, random: what sign-out ends.</param>
/// <param name="Operator">Whose session.</param>
/// <param name="IssuedAt">When the operator signed in.</param>
/// <param name="ExpiresAt">When it ends by itself (<c>WaitingRoom:AdminSessionLifetime</c> after sign-in).</param>
internal sealed record AdminSession(string Id, string Operator, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

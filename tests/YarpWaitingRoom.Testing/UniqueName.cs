using System.Runtime.CompilerServices;

namespace YarpWaitingRoom.Testing;

/// <summary>Names that keep tests apart on shared servers (after StackExchange.Redis's <c>Me()</c>).</summary>
public static class UniqueName
{
    /// <summary>The calling test's name plus a short random suffix, e.g. <c>Join_IsIdempotent-3f2a9c</c>.</summary>
    public static string For([CallerMemberName] string caller = "") =>
        caller + "-" + Guid.NewGuid().ToString("N")[..6];
}

namespace YarpWaitingRoom.Testing;

/// <summary>
/// The proxy's Redis call budget (<c>WaitingRoom:Gate:RedisTimeout</c>, <c>StallAfter</c>) for tests that are not about a
/// slow Redis: the in-process proxies (<c>ProxyApp</c>) and the system tests' journey, sell-out and cluster stacks. The
/// production budget (500 ms; stalled after 2 s) sheds a call that a machine saturated by the parallel suites (or a
/// cluster master loading a script) makes slow, and past 2 s the gate fails open under <c>FailurePolicy</c> Open (a
/// Paused room answered 200: CI13, CI16); neither is what such a test asserts. The tests of shedding, stalls and failure
/// policies, and the fault stack, keep the production budget.
/// </summary>
public static class RedisBudget
{
    /// <summary>How long a call may take.</summary>
    public const string FunctionalTimeout = "00:00:05";

    /// <summary>After how long without a success Redis counts as stalled.</summary>
    public const string FunctionalStallAfter = "00:00:10";
}

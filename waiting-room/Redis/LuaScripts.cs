namespace YarpWaitingRoom.Redis;

/// <summary>
/// The room's Lua scripts, loaded once from embedded resources; each runs by EVALSHA of a digest computed once, and a
/// node that lacks it gets its text on NOSCRIPT (after a Redis restart or failover; see <see cref="RedisScript"/>).
/// </summary>
/// <remarks>
/// The scripts that share helpers (ticket removal, revocation, the notify format, chunked writes) start with the
/// library <c>prelude.lua</c>, composed here, so each is still one self-contained script under its own SHA; the
/// library's header says why this is not a Redis function library. A script that calls none of it (the per-request
/// and per-tick ones) goes without, since each call would make the library's closures again. A line number in a Redis error about a script
/// with the library counts the library's lines first.
/// </remarks>
internal static class LuaScripts
{
    /// <summary>The shared library's resource name.</summary>
    internal const string PreludeName = "prelude.lua";

    public static readonly RedisScript Join = new("join.lua", Load("join.lua"));
    public static readonly RedisScript Admit = new("admit.lua", Load("admit.lua"));
    public static readonly RedisScript Reap = new("reap.lua", Load("reap.lua"));
    public static readonly RedisScript Touch = new("touch.lua", Load("touch.lua"));
    public static readonly RedisScript EndSession = new("end-session.lua", Load("end-session.lua"));
    public static readonly RedisScript Leave = new("leave.lua", Load("leave.lua"));
    public static readonly RedisScript Redeem = new("redeem.lua", Load("redeem.lua", withPrelude: false));
    public static readonly RedisScript Deliver = new("deliver.lua", Load("deliver.lua", withPrelude: false));
    public static readonly RedisScript Status = new("status.lua", Load("status.lua"));
    public static readonly RedisScript Positions = new("positions.lua", Load("positions.lua", withPrelude: false));
    public static readonly RedisScript WriteState = new("write-state.lua", Load("write-state.lua"));
    public static readonly RedisScript Reset = new("reset.lua", Load("reset.lua"));
    public static readonly RedisScript ScheduleEvent = new("schedule-event.lua", Load("schedule-event.lua"));
    public static readonly RedisScript DrawFreeze = new("draw-freeze.lua", Load("draw-freeze.lua"));
    public static readonly RedisScript Inventory = new("inventory.lua", Load("inventory.lua"));
    public static readonly RedisScript DrawSwap = new("draw-swap.lua", Load("draw-swap.lua"));
    public static readonly RedisScript Limit = new("limit.lua", Load("limit.lua", withPrelude: false));
    public static readonly RedisScript Timeline = new("timeline.lua", Load("timeline.lua", withPrelude: false));
    public static readonly RedisScript ForgetConsumers = new("forget-consumers.lua", Load("forget-consumers.lua", withPrelude: false));

    /// <summary>A script as Redis runs it: the shared library, then the script with its own KEYS/ARGV header.</summary>
    internal static string Load(string name, bool withPrelude = true) =>
        withPrelude ? Read(PreludeName) + "\n" + Read(name) : Read(name);

    /// <summary>An embedded script's text as it is in its file.</summary>
    internal static string Read(string name)
    {
        var resource = "YarpWaitingRoom.Redis.Scripts." + name;
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded script {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

namespace YarpWaitingRoom.Redis;

/// <summary>
/// The room's Lua scripts, loaded once from embedded resources. StackExchange.Redis runs them by EVALSHA and
/// falls back to EVAL on NOSCRIPT (after a Redis restart or failover) by itself.
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

    public static readonly string Join = Load("join.lua");
    public static readonly string Admit = Load("admit.lua");
    public static readonly string Reap = Load("reap.lua");
    public static readonly string Touch = Load("touch.lua", withPrelude: false);
    public static readonly string EndSession = Load("end-session.lua");
    public static readonly string Redeem = Load("redeem.lua", withPrelude: false);
    public static readonly string Deliver = Load("deliver.lua", withPrelude: false);
    public static readonly string Status = Load("status.lua", withPrelude: false);
    public static readonly string Positions = Load("positions.lua", withPrelude: false);
    public static readonly string WriteState = Load("write-state.lua");
    public static readonly string Reset = Load("reset.lua");
    public static readonly string Limit = Load("limit.lua", withPrelude: false);

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

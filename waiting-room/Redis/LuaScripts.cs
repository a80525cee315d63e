namespace YarpWaitingRoom.Redis;

/// <summary>
/// The room's Lua scripts, loaded once from embedded resources. StackExchange.Redis runs them by EVALSHA and
/// falls back to EVAL on NOSCRIPT (after a Redis restart or failover) by itself.
/// </summary>
internal static class LuaScripts
{
    public static readonly string Join = Load("join.lua");
    public static readonly string Admit = Load("admit.lua");
    public static readonly string Reap = Load("reap.lua");
    public static readonly string Touch = Load("touch.lua");
    public static readonly string EndSession = Load("end-session.lua");
    public static readonly string Redeem = Load("redeem.lua");
    public static readonly string Deliver = Load("deliver.lua");
    public static readonly string Status = Load("status.lua");
    public static readonly string WriteState = Load("write-state.lua");
    public static readonly string Limit = Load("limit.lua");

    private static string Load(string name)
    {
        var resource = "YarpWaitingRoom.Redis.Scripts." + name;
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded script {resource} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

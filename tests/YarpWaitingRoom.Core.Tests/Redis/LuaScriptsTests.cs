using System.Reflection;
using System.Text.RegularExpressions;
using StackExchange.Redis;
using YarpWaitingRoom.Redis;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Redis;

/// <summary>The scripts as Redis runs them: each script file, with the shared library (prelude.lua) in front when it uses it.</summary>
public sealed partial class LuaScriptsTests(RedisFixture redis) : IAsyncLifetime
{
    private ConnectionMultiplexer _connection = null!;

    public async ValueTask InitializeAsync() => _connection = await redis.ConnectAsync();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    /// <summary>The <see cref="LuaScripts"/> fields, one per script.</summary>
    public static TheoryData<string> Scripts => [.. ScriptFields().Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_AsComposed_LoadsIntoRedis_UnderTheDigestItIsCalledBy(string field)
    {
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var script = Script(field);

        var digest = await server.ScriptLoadAsync(script.Text);

        Assert.Equal(script.Sha1, Convert.ToHexStringLower(digest));
        Assert.Equal(FileOf(field), script.Name);
    }

    [Fact]
    public async Task Evaluate_ScriptTheServerDoesNotKnow_SendsItsTextOnce_ThenRunsByDigest()
    {
        // A text no server has seen (a restart or failover leaves every script in this state).
        var script = new RedisScript("probe.lua", $"-- {Guid.NewGuid():N}\nreturn ARGV[1] .. '@' .. KEYS[1]");
        RedisKey first = "{probe}:1", second = "{probe}:2";
        var server = _connection.GetServer(first); // the node that serves both keys (one hash tag) on a cluster too
        var db = _connection.GetDatabase();
        Assert.False(await server.ScriptExistsAsync(script.Text));

        var firstResult = await script.EvaluateAsync(db, [first], ["v"]);
        var loaded = await server.ScriptExistsAsync(script.Text);
        var secondResult = await script.EvaluateAsync(db, [second], ["v2"]);

        Assert.Equal("v@{probe}:1", (string?)firstResult);
        Assert.True(loaded);
        Assert.Equal("v2@{probe}:2", (string?)secondResult);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_IsItsFile_WithTheLibraryInFront_ExactlyWhenItCallsTheLibrary(string field)
    {
        var file = LuaScripts.Read(FileOf(field));
        var code = Comment().Replace(file, string.Empty);
        var usesLibrary = LibraryNames().Any(name => Regex.IsMatch(code, $@"\b{name}\b"));

        Assert.Equal(usesLibrary ? LuaScripts.Load(FileOf(field)) : file, Script(field).Text);
        Assert.StartsWith("-- ", file, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEmbeddedScript_IsLoadedByOneField_AndNoneRedefinesALibraryName()
    {
        var files = typeof(LuaScripts).Assembly.GetManifestResourceNames()
            .Where(r => r.EndsWith(".lua", StringComparison.Ordinal))
            .Select(r => r["YarpWaitingRoom.Redis.Scripts.".Length..])
            .Where(f => f != LuaScripts.PreludeName)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(files, ScriptFields().Select(f => FileOf(f.Name)).Order(StringComparer.Ordinal));
        foreach (var file in files)
        {
            var code = Comment().Replace(LuaScripts.Read(file), string.Empty);
            Assert.All(LibraryNames(), name => Assert.DoesNotMatch($@"\b(local|function)\s+{name}\b", code));
        }
    }

    [Fact]
    public async Task Prelude_RunsOnItsOwn_CreatingNoGlobal()
    {
        // Redis 7 refuses a script that assigns a global: the library must consist of locals only.
        var result = await _connection.GetDatabase().ScriptEvaluateAsync(LuaScripts.Read(LuaScripts.PreludeName) + "\nreturn 'ok'");

        Assert.Equal("ok", (string?)result);
        Assert.Contains("depart", LibraryNames());
    }

    private static IEnumerable<FieldInfo> ScriptFields() =>
        typeof(LuaScripts).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(RedisScript));

    private static RedisScript Script(string field) => (RedisScript)typeof(LuaScripts).GetField(field)!.GetValue(null)!;

    /// <summary><c>EndSession</c> -> <c>end-session.lua</c>.</summary>
    private static string FileOf(string field) => UpperAfterLower().Replace(field, "-$1").ToLowerInvariant() + ".lua";

    /// <summary>The names the library defines: <c>local function name</c> and <c>local NAME =</c>.</summary>
    private static List<string> LibraryNames() =>
        [.. LibraryDefinition().Matches(LuaScripts.Read(LuaScripts.PreludeName)).Select(m => m.Groups["name"].Value)];

    [GeneratedRegex("--[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex UpperAfterLower();

    [GeneratedRegex(@"^local\s+(?:function\s+)?(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex LibraryDefinition();
}

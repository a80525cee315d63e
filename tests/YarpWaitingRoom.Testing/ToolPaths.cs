namespace YarpWaitingRoom.Testing;

/// <summary>Where the Debian packages put the servers the harness starts (override with environment variables).</summary>
public static class ToolPaths
{
    public static string RedisServer => Environment.GetEnvironmentVariable("REDIS_SERVER") ?? Require("/usr/bin/redis-server", "redis-server");

    public static string RedisCli => Environment.GetEnvironmentVariable("REDIS_CLI") ?? Require("/usr/bin/redis-cli", "redis-tools");

    /// <summary>The newest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, or <c>PG_BIN</c>.</summary>
    public static string PostgresBin
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } configured)
            {
                return configured;
            }

            const string root = "/usr/lib/postgresql";
            var newest = Directory.Exists(root)
                ? Directory.GetDirectories(root)
                    .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                    .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                    .OrderByDescending(d => d.Version)
                    .Select(d => Path.Combine(d.Dir, "bin"))
                    .FirstOrDefault()
                : null;
            return newest ?? throw new InvalidOperationException(
                "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Run ./stack test (it installs them) or set PG_BIN.");
        }
    }

    /// <summary>True when the tests run as root, where PostgreSQL must be run as the <c>postgres</c> user.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    private static string Require(string path, string package) => File.Exists(path)
        ? path
        : throw new InvalidOperationException($"{path} not found. Run ./stack test (it installs the Debian package {package}).");
}

using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Yarp.Console;

/// <summary>
/// The operator console's script and style sheet (<c>console.js</c>, <c>console.css</c>), embedded in the package and
/// served under <see cref="ConsolePage.AssetsPath"/> by <see cref="EmbeddedAssets"/>: a strong ETag, five minutes of
/// caching, 304, 404 for any other name, HEAD. One instance per process (it reads the files once).
/// </summary>
internal sealed class ConsoleAssets
{
    private const string ResourcePrefix = "YarpWaitingRoom.Yarp.Console.Assets.";

    private readonly EmbeddedAssets _assets = new(typeof(ConsoleAssets).Assembly, ResourcePrefix);

    /// <summary><c>console.css</c> and <c>console.js</c>.</summary>
    public IEnumerable<string> Names => _assets.Names;

    /// <summary>
    /// GET or HEAD of the file named by the route value <c>file</c> (<c>/_wr/admin/assets/{file}</c>): 200 with the bytes,
    /// 304 when the client's ETag matches, 404 for any other name.
    /// </summary>
    public Task ServeAsync(HttpContext context) => _assets.ServeAsync(context);
}

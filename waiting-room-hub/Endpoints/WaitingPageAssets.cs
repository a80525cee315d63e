using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Hub.Endpoints;

/// <summary>
/// The waiting page's scripts (<c>wait.js</c>; the challenge page's <c>challenge.js</c> and its worker <c>solve.js</c>) and
/// style sheet, embedded in the assembly (so a site that hosts the hub needs no files of ours on disk), read once, and
/// served under <c>/_wr/wait-assets/</c> by <see cref="EmbeddedAssets"/>: a strong ETag and five minutes of caching.
/// </summary>
internal sealed class WaitingPageAssets
{
    private const string ResourcePrefix = "YarpWaitingRoom.Hub.Assets.";

    private readonly EmbeddedAssets _assets = new(typeof(WaitingPageAssets).Assembly, ResourcePrefix);

    /// <summary>The asset names (<c>wait.js</c>, <c>wait.css</c>, <c>challenge.js</c>, <c>solve.js</c>).</summary>
    public IEnumerable<string> Names => _assets.Names;

    /// <summary>GET or HEAD of one asset: 200 with the bytes, 304 when the client's ETag matches, 404 for any other name.</summary>
    public Task ServeAsync(HttpContext context) => _assets.ServeAsync(context);
}

using System.Collections.Frozen;
using System.Security.Cryptography;

namespace YarpWaitingRoom.Hub.Endpoints;

/// <summary>
/// The waiting page's scripts (<c>wait.js</c>; the challenge page's <c>challenge.js</c> and its worker <c>solve.js</c>) and
/// style sheet, embedded in the assembly (so a site that hosts the hub needs no files of
/// ours on disk), read once, and served under <c>/_wr/wait-assets/</c> with a strong ETag and five minutes of caching.
/// </summary>
internal sealed class WaitingPageAssets
{
    private const string ResourcePrefix = "YarpWaitingRoom.Hub.Assets.";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, Asset> _assets;

    public WaitingPageAssets()
    {
        var assembly = typeof(WaitingPageAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            assets[name] = new Asset(bytes, contentType, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes)[..16]) + "\"");
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The asset names (<c>wait.js</c>, <c>wait.css</c>, <c>challenge.js</c>, <c>solve.js</c>).</summary>
    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>GET or HEAD of one asset: 200 with the bytes, 304 when the client's ETag matches, 404 for any other name.</summary>
    public Task ServeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.GetRouteValue("file") as string;
        if (name is null || !_assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "public, max-age=300";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}

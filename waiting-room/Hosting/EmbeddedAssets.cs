using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace YarpWaitingRoom.Hosting;

/// <summary>
/// Scripts and style sheets embedded in an assembly under one resource prefix (so a site that hosts a page of ours needs
/// no files of ours on disk), read once and served with a strong ETag and five minutes of caching: 304 when the client's
/// ETag matches, 404 for a name that is not one of them, no body for HEAD. The hub's waiting page
/// (<c>/_wr/wait-assets/</c>) and the proxy's operator console (<c>/_wr/admin/assets/</c>) both serve theirs with it.
/// </summary>
internal sealed class EmbeddedAssets
{
    /// <summary>The route value that names the file: <c>…/{file}</c>.</summary>
    public const string FileRouteValue = "file";

    /// <summary>What the client may cache, and for how long.</summary>
    public const string CacheControl = "public, max-age=300";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, Asset> _assets;

    /// <summary>
    /// Reads every <c>.js</c> and <c>.css</c> resource of <paramref name="assembly"/> whose name starts with
    /// <paramref name="resourcePrefix"/> (<c>"YarpWaitingRoom.Hub.Assets."</c>); the rest of the name is the file's.
    /// </summary>
    public EmbeddedAssets(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentException.ThrowIfNullOrEmpty(resourcePrefix);
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(resourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[resourcePrefix.Length..];
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

    /// <summary>The file names served (<c>wait.js</c>, <c>console.css</c>…).</summary>
    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>The strong ETag of <paramref name="name"/>, or <see langword="null"/> when there is no such file.</summary>
    public string? ETagOf(string name) => _assets.TryGetValue(name, out var asset) ? asset.ETag : null;

    /// <summary>
    /// GET or HEAD of the asset named by the route value <see cref="FileRouteValue"/>: 200 with the bytes, 304 when the
    /// client's ETag matches, 404 for any other name.
    /// </summary>
    public Task ServeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var name = context.GetRouteValue(FileRouteValue) as string;
        if (name is null || !_assets.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = CacheControl;
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

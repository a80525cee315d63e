using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;

namespace YarpWaitingRoom.Yarp.KeepAlive;

/// <summary>
/// <c>/_wr/keepalive.js</c>: the script a protected site includes once, built at start from the embedded
/// <c>keepalive.js</c> (comments and indentation left out) with the heartbeat URL, the script's own URL (its dedicated
/// worker runs the same file) and the interval filled in, and served with a strong ETag and five minutes of caching.
/// The interval is a third of the smallest <c>AbandonAfter</c> of the rooms (one script serves every room), at least half
/// a second: with a beat lost, the next still lands inside AbandonAfter, the once-a-second flush included.
/// </summary>
internal sealed class KeepAliveScript
{
    public const string ContentType = "text/javascript; charset=utf-8";

    public const string CacheControl = "public, max-age=300";

    /// <summary>The shortest interval between beats, whatever the rooms say.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(500);

    private const string ResourceName = "YarpWaitingRoom.Yarp.KeepAlive.keepalive.js";

    public KeepAliveScript(IOptions<WaitingRoomOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Interval = IntervalOf(options.Value);
        Bytes = Build(Interval);
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Bytes)[..16]) + "\"";
    }

    /// <summary>How often the script beats.</summary>
    public TimeSpan Interval { get; }

    public byte[] Bytes { get; }

    public string ETag { get; }

    /// <summary>A third of the smallest <see cref="RoomOptions.AbandonAfter"/>, at least <see cref="MinInterval"/>.</summary>
    public static TimeSpan IntervalOf(WaitingRoomOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var smallest = TimeSpan.MaxValue;
        foreach (var room in options.Rooms.Values)
        {
            if (room.AbandonAfter < smallest)
            {
                smallest = room.AbandonAfter;
            }
        }

        var interval = smallest == TimeSpan.MaxValue ? new RoomOptions().AbandonAfter / 3 : smallest / 3;
        return interval < MinInterval ? MinInterval : TimeSpan.FromMilliseconds(Math.Floor(interval.TotalMilliseconds));
    }

    /// <summary>GET or HEAD: 200 with the script, 304 when the client's ETag matches.</summary>
    public Task ServeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.ETag = ETag;
        headers.CacheControl = CacheControl;
        if (context.Request.Headers.IfNoneMatch.Contains(ETag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.ContentType = ContentType;
        context.Response.ContentLength = Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(Bytes).AsTask();
    }

    private static byte[] Build(TimeSpan interval)
    {
        using var stream = typeof(KeepAliveScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var script = new StringBuilder();
        while (reader.ReadLine() is { } line)
        {
            // Whole-line comments and indentation only: the code itself is served as written.
            var code = line.Trim();
            if (code.Length == 0 || code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("/*", StringComparison.Ordinal))
            {
                continue;
            }

            script.Append(code).Append('\n');
        }

        script.Replace("{alive}", WaitingRoomPaths.KeepAlive)
            .Replace("{script}", WaitingRoomPaths.KeepAliveScript)
            .Replace("{every}", ((long)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return Encoding.UTF8.GetBytes(script.ToString());
    }
}

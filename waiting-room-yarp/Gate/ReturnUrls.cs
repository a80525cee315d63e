using YarpWaitingRoom.Queue;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>The URL a visitor asked for, kept to return them there after the wait (local paths only: <see cref="LocalUrls"/>).</summary>
internal static class ReturnUrls
{
    public static string Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var url = request.PathBase + request.Path + request.QueryString;
        return LocalUrls.IsLocal(url) ? url : "/";
    }
}

using System.Buffers;

namespace YarpWaitingRoom.Yarp.Gate;

/// <summary>
/// Reads one of the waiting room's cookies straight from the request's <c>Cookie</c> header, without building the
/// request's cookie collection (a dictionary and a string per cookie, on every gated request). It finds what
/// <see cref="HttpRequest.Cookies"/> finds: names compared ignoring case, the last of several wins, an empty value is
/// no cookie. A value in the waiting room's tokens' alphabet is used as it stands; any other (escaped, quoted) is read
/// through <see cref="HttpRequest.Cookies"/>, which unescapes it. Whatever is read is only a candidate: the token's
/// signature and claims are checked as before.
/// </summary>
internal static class RequestCookie
{
    // The characters of a signed token (key id, base64url payload and signature, the dots between them).
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    /// <summary>The value of cookie <paramref name="name"/>; empty when the request has none.</summary>
    public static ReadOnlySpan<char> Find(HttpRequest request, string name)
    {
        var headers = request.Headers.Cookie;
        ReadOnlySpan<char> found = default;
        for (var i = 0; i < headers.Count; i++)
        {
            var remaining = headers[i].AsSpan();
            while (!remaining.IsEmpty)
            {
                var end = remaining.IndexOf(';');
                var pair = (end < 0 ? remaining : remaining[..end]).Trim(" \t");
                remaining = end < 0 ? default : remaining[(end + 1)..];
                if (pair.Length > name.Length && pair[name.Length] == '='
                    && pair.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                {
                    var value = pair[(name.Length + 1)..];
                    if (value.ContainsAnyExcept(TokenChars))
                    {
                        return request.Cookies[name];
                    }

                    if (!value.IsEmpty)
                    {
                        found = value;
                    }
                }
            }
        }

        return found;
    }
}

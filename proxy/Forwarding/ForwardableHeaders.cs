using System.Buffers;

namespace YarpWaitingRoom.Proxy.Forwarding;

/// <summary>
/// The rule for the request headers the proxy forwards: a name is a token (RFC 9110 §5.6.2), a value is visible ASCII,
/// space and horizontal tab only. Anything else (non-ASCII, control characters, DEL) the forwarder cannot send (it
/// refuses non-ASCII: "Request headers must contain only ASCII characters") or HTTP/1.1 does not allow (controls), so the
/// request is refused with 400 before it is forwarded, never turned into a 502 that the edge would count against the proxy.
/// </summary>
internal static class ForwardableHeaders
{
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly SearchValues<char> ValueChars = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>The name of the first header that breaks the rule, or null when every header may be forwarded.</summary>
    public static string? FirstInvalid(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        foreach (var (name, values) in headers)
        {
            if (!IsValidName(name))
            {
                return name;
            }

            foreach (var value in values)
            {
                if (!IsValidValue(value))
                {
                    return name;
                }
            }
        }

        return null;
    }

    public static bool IsValidName(string? name) => !string.IsNullOrEmpty(name) && !name.AsSpan().ContainsAnyExcept(TokenChars);

    public static bool IsValidValue(string? value) => value is null || !value.AsSpan().ContainsAnyExcept(ValueChars);
}

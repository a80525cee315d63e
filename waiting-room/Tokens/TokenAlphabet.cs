using System.Buffers;

namespace YarpWaitingRoom.Tokens;

internal static class TokenAlphabet
{
    /// <summary>Characters allowed in signing key ids (rooms, visitors and tickets follow Protocol.VisitorIds): none of them is a token separator.</summary>
    public static readonly SearchValues<char> KeyIdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
}

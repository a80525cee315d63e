using System.Buffers;

namespace YarpWaitingRoom.Tokens;

internal static class TokenAlphabet
{
    /// <summary>Characters allowed in key ids, rooms, visitor ids and ticket ids: none of them is a token separator.</summary>
    public static readonly SearchValues<char> KeyIdCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    public static readonly SearchValues<char> FieldCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:");
}

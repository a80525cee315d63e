using System.Buffers;

namespace YarpWaitingRoom.Options;

/// <summary>
/// The rule of an operator's name (<c>WaitingRoom:AdminKeys:&lt;name&gt;</c>): 1-64 characters of letters, digits,
/// <c>.</c>, <c>_</c>, <c>-</c>. It is written into console session cookies, audit entries and log lines, so nothing in
/// it needs escaping and no separator can be forged with it.
/// </summary>
internal static class OperatorNames
{
    public const int MaxLength = 64;

    /// <summary>What an operator name may use.</summary>
    public static readonly SearchValues<char> Characters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    /// <summary>How the rule reads in an error message.</summary>
    public const string Rule = "1-64 characters of letters, digits, '.', '_' and '-'";

    public static bool IsValid(ReadOnlySpan<char> name) =>
        name.Length is > 0 and <= MaxLength && !name.ContainsAnyExcept(Characters);
}

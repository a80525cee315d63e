using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Compose;

/// <summary>Compose's variable interpolation, as it comes out when no variable is set.</summary>
internal static partial class Interpolation
{
    /// <summary>
    /// The value with no variables set: <c>${X:-default}</c> gives its default, <c>$$</c> a <c>$</c>. Null when the
    /// value depends on a variable without a default (<c>${X}</c>, <c>${X:?error}</c>): it is known only at run time.
    /// </summary>
    public static string? WithoutVariables(string value)
    {
        var unknown = false;
        var result = Reference().Replace(value, match =>
        {
            if (match.Groups["escaped"].Success)
            {
                return "$";
            }

            if (match.Groups["default"].Success)
            {
                return match.Groups["default"].Value;
            }

            unknown = true;
            return string.Empty;
        });
        return unknown ? null : result;
    }

    /// <summary>True when the whole value is one required variable, <c>${X:?error}</c>: compose refuses to start without it.</summary>
    public static bool IsRequiredVariable(string? value) => value is not null && RequiredVariable().IsMatch(value);

    [GeneratedRegex(@"\$(?:(?<escaped>\$)|\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*)|:?\?[^}]*)?\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}$")]
    private static partial Regex RequiredVariable();
}

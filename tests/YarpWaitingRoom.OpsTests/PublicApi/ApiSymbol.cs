namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>
/// One public symbol of a package: a type (<see cref="Member"/> null) or one of its members, by the type's full name
/// (<c>Namespace.Outer.Inner</c>, generic parameters as <c>&lt;T&gt;</c>) and the member's name (<c>.ctor</c> for a
/// constructor). <see cref="Accessor"/> tells a property's <c>get</c>, <c>set</c> and <c>init</c> apart; overloads are
/// separate symbols with the same name.
/// </summary>
internal sealed record ApiSymbol(string Package, string Type, string? Member = null, string? Accessor = null)
{
    public const string Constructor = ".ctor";

    /// <summary>The symbol at the level of names: the type, or the type and the member's name, without the accessor.</summary>
    public ApiSymbol Named => this with { Accessor = null };

    public override string ToString() =>
        $"{Package}: {Type}" + (Member is null ? string.Empty : "." + Member) + (Accessor is null ? string.Empty : "." + Accessor);
}

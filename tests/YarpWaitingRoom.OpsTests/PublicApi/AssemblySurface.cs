using System.Reflection;
using System.Runtime.CompilerServices;

namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>
/// What a built assembly exports, in the terms of the analyzer's lists: every exported type and its public and protected
/// members declared there (constructors, methods, properties per accessor, events, fields; enum values included). What
/// the compiler makes and the lists never hold is left out: accessor methods as methods, <c>value__</c>, and
/// unspeakable names.
/// </summary>
internal static class AssemblySurface
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    public static IReadOnlyList<ApiSymbol> Of(string package, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetExportedTypes().SelectMany(type => OfType(package, type)).ToList();
    }

    /// <summary>One type and its public and protected members.</summary>
    public static IReadOnlyList<ApiSymbol> OfType(string package, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var name = NameOf(type);
        return type.GetMembers(Declared).SelectMany(member => SymbolsOf(package, name, member)).Prepend(new ApiSymbol(package, name)).ToList();
    }

    /// <summary><c>Namespace.Outer.Inner&lt;T&gt;</c>, as the lists write a type.</summary>
    public static string NameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            var own = type.GetGenericArguments().Skip(type.DeclaringType?.GetGenericArguments().Length ?? 0).Select(argument => argument.Name);
            name = name[..tick] + "<" + string.Join(", ", own) + ">";
        }

        return type.DeclaringType is { } outer ? NameOf(outer) + "." + name : type.Namespace + "." + name;
    }

    private static IEnumerable<ApiSymbol> SymbolsOf(string package, string type, MemberInfo member)
    {
        if (member.Name.StartsWith('<'))
        {
            yield break;
        }

        switch (member)
        {
            case ConstructorInfo constructor when Visible(constructor) && !constructor.IsStatic:
                yield return new ApiSymbol(package, type, ApiSymbol.Constructor);
                break;
            case MethodInfo method when Visible(method) && (!method.IsSpecialName || method.Name.StartsWith("op_", StringComparison.Ordinal)):
                yield return new ApiSymbol(package, type, method.Name);
                break;
            case PropertyInfo property:
                var name = property.GetIndexParameters().Length > 0 ? "this" : property.Name;
                if (property.GetMethod is { } getter && Visible(getter))
                {
                    yield return new ApiSymbol(package, type, name, "get");
                }

                if (property.SetMethod is { } setter && Visible(setter))
                {
                    var init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                    yield return new ApiSymbol(package, type, name, init ? "init" : "set");
                }

                break;
            case EventInfo @event when @event.AddMethod is { } add && Visible(add):
                yield return new ApiSymbol(package, type, @event.Name);
                break;
            case FieldInfo field when Visible(field) && !field.IsSpecialName:
                yield return new ApiSymbol(package, type, field.Name);
                break;
        }
    }

    private static bool Visible(MethodBase method) => method.IsPublic || method.IsFamily || method.IsFamilyOrAssembly;

    private static bool Visible(FieldInfo field) => field.IsPublic || field.IsFamily || field.IsFamilyOrAssembly;
}

using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Yarp.ReverseProxy.Configuration;

namespace YarpWaitingRoom.OpsTests.Configuration;

/// <summary>
/// Maps an environment variable (<c>Section__Key</c>, the environment provider's nesting) to what a service reads, the
/// way the configuration binder would: path segments match public properties case-insensitively, dictionaries take any
/// key, lists take numeric indexes, and the path must end at a value (something a string converts to). A name nothing
/// reads is rejected with the reason: .NET would ignore it silently.
/// </summary>
internal sealed class ConfigurationKeyResolver(ServiceConfiguration service)
{
    /// <summary>Read by the host and the runtime themselves (<c>ASPNETCORE_HTTP_PORTS</c>, <c>DOTNET_gcServer</c>).</summary>
    private static readonly string[] HostPrefixes = ["ASPNETCORE_", "DOTNET_"];

    public KeyResolution Resolve(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (HostPrefixes.Any(prefix => variable.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            return KeyResolution.Valid("a host setting (ASP.NET Core / .NET runtime)");
        }

        var segments = variable.Split("__");
        if (segments.Any(segment => segment.Length == 0))
        {
            return KeyResolution.Invalid($"'{variable}' has an empty segment.");
        }

        if (segments.Length == 1)
        {
            return service.TopLevelKeys.Contains(variable)
                ? KeyResolution.Valid($"{variable} (top-level key of appsettings.json)", typeof(string))
                : KeyResolution.Invalid($"'{variable}' has no '__' nesting: it becomes a top-level key that {service.Project.Folder} does not read.");
        }

        var key = string.Join(':', segments);
        if (Is(segments[0], "Logging"))
        {
            return KeyResolution.Valid($"{key} (logging configuration)");
        }

        if (Is(segments[0], "ConnectionStrings"))
        {
            return segments.Length == 2 && service.ConnectionStrings.Contains(segments[1])
                ? KeyResolution.Valid($"{key} (connection string)", typeof(string))
                : KeyResolution.Invalid($"{key}: {service.Project.Folder} reads only the connection strings {string.Join(", ", service.ConnectionStrings)}.");
        }

        if (Is(segments[0], "ReverseProxy"))
        {
            return ResolveReverseProxy(segments);
        }

        if (service.DirectKeys.Contains(key))
        {
            return KeyResolution.Valid($"{key} (read directly from configuration)", typeof(string));
        }

        var section = service.OptionSections
            .Select(entry => (path: entry.Key.Split(':'), type: entry.Value))
            .Where(entry => entry.path.Length < segments.Length && entry.path.Select((part, i) => Is(part, segments[i])).All(match => match))
            .OrderByDescending(entry => entry.path.Length)
            .FirstOrDefault();
        if (section.type is null)
        {
            return KeyResolution.Invalid(
                $"{key}: no options section of {service.Project.Folder} contains it (it binds {string.Join(", ", service.OptionSections.Keys.Order(StringComparer.Ordinal))}).");
        }

        // Any of the classes bound to the section may read the key; the first one's reason explains a refusal.
        var resolutions = section.type.Select(type => Walk(type, segments.AsSpan(section.path.Length), string.Join(':', section.path))).ToList();
        return resolutions.FirstOrDefault(resolution => resolution.IsValid) ?? resolutions[0];
    }

    /// <summary>Whether a value converts to the type a key resolved to, as the binder converts it (invariant culture).</summary>
    public static bool Converts(string value, Type type, out string? error)
    {
        ArgumentNullException.ThrowIfNull(type);
        try
        {
            _ = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            error = ex.InnerException?.Message ?? ex.Message;
            return false;
        }
    }

    private KeyResolution ResolveReverseProxy(string[] segments)
    {
        var yarp = service.ReverseProxy;
        if (yarp is null)
        {
            return KeyResolution.Invalid($"{string.Join(':', segments)}: {service.Project.Folder} does not load YARP's ReverseProxy section.");
        }

        if (segments.Length > 2 && Is(segments[1], "Routes"))
        {
            return yarp.Routes.Contains(segments[2])
                ? Walk(typeof(RouteConfig), segments.AsSpan(3), $"ReverseProxy:Routes:{segments[2]}")
                : KeyResolution.Invalid($"route '{segments[2]}' is not in {service.Project.Folder}/appsettings.json (routes: {string.Join(", ", yarp.Routes)}).");
        }

        if (segments.Length > 2 && Is(segments[1], "Clusters"))
        {
            if (!yarp.Clusters.TryGetValue(segments[2], out var destinations))
            {
                return KeyResolution.Invalid($"cluster '{segments[2]}' is not in {service.Project.Folder}/appsettings.json (clusters: {string.Join(", ", yarp.Clusters.Keys)}).");
            }

            if (segments.Length > 4 && Is(segments[3], "Destinations"))
            {
                return destinations.Contains(segments[4])
                    ? Walk(typeof(DestinationConfig), segments.AsSpan(5), $"ReverseProxy:Clusters:{segments[2]}:Destinations:{segments[4]}")
                    : KeyResolution.Invalid($"destination '{segments[4]}' is not in cluster '{segments[2]}' of {service.Project.Folder}/appsettings.json (destinations: {string.Join(", ", destinations)}).");
            }

            return Walk(typeof(ClusterConfig), segments.AsSpan(3), $"ReverseProxy:Clusters:{segments[2]}");
        }

        return KeyResolution.Invalid($"{string.Join(':', segments)}: YARP's section has Routes:<id> and Clusters:<id>.");
    }

    private static KeyResolution Walk(Type type, ReadOnlySpan<string> segments, string path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsValue(type))
        {
            return segments.IsEmpty
                ? KeyResolution.Valid($"{path} ({type.Name})", type)
                : KeyResolution.Invalid($"{path} is a {type.Name} value: nothing is below it ('{segments[0]}').");
        }

        if (segments.IsEmpty)
        {
            return KeyResolution.Invalid($"{path} is a section ({type.Name}), not a value.");
        }

        if ((GenericInterface(type, typeof(IDictionary<,>)) ?? GenericInterface(type, typeof(IReadOnlyDictionary<,>))) is { } dictionary)
        {
            var keyType = dictionary.GetGenericArguments()[0];
            return keyType.IsEnum && !Enum.TryParse(keyType, segments[0], ignoreCase: true, out _)
                ? KeyResolution.Invalid($"{path}: '{segments[0]}' is not a {keyType.Name}.")
                : Walk(dictionary.GetGenericArguments()[1], segments[1..], $"{path}:{segments[0]}");
        }

        if ((type.IsArray ? type.GetElementType() : GenericInterface(type, typeof(IEnumerable<>))?.GetGenericArguments()[0]) is { } element)
        {
            return int.TryParse(segments[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)
                ? Walk(element, segments[1..], $"{path}:{segments[0]}")
                : KeyResolution.Invalid($"{path} is a list: '{segments[0]}' is not an index.");
        }

        var name = segments[0];
        var property = Array.Find(
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance),
            p => Is(p.Name, name) && p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true }
                && (p.SetMethod is { IsPublic: true } || !IsValue(p.PropertyType)));
        return property is null
            ? KeyResolution.Invalid($"{path}: {type.Name} has no property '{name}' (it has {string.Join(", ", type.GetProperties().Select(p => p.Name))}).")
            : Walk(property.PropertyType, segments[1..], $"{path}:{property.Name}");
    }

    /// <summary>A type the binder sets from one string (string, numbers, enums, TimeSpan, Uri, ...).</summary>
    private static bool IsValue(Type type) => TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    private static Type? GenericInterface(Type type, Type definition) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : Array.Find(type.GetInterfaces(), i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

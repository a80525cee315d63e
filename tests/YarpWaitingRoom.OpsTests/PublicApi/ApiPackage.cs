using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using YarpWaitingRoom.Options;

namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>A package this repository ships: its assembly (as built) and the folder holding its approved API lists.</summary>
internal sealed record ApiPackage(string Name, string Folder, Assembly Assembly)
{
    public static readonly ApiPackage Yarp = new("YarpWaitingRoom.Yarp", "waiting-room-yarp", typeof(WaitingRoomReverseProxyBuilderExtensions).Assembly);

    public static readonly ApiPackage Core = new("YarpWaitingRoom.Core", "waiting-room", typeof(WaitingRoomOptions).Assembly);

    public static readonly ApiPackage Hub = new("YarpWaitingRoom.Hub", "waiting-room-hub", typeof(WaitingRoomHubServiceCollectionExtensions).Assembly);

    public static readonly IReadOnlyList<ApiPackage> All = [Yarp, Hub, Core];

    public static ApiPackage Named(string name) =>
        All.SingleOrDefault(package => package.Name == name) ?? throw new ArgumentException($"No package '{name}'.", nameof(name));

    /// <summary>The approved surface: <c>PublicAPI.Shipped.txt</c> with <c>PublicAPI.Unshipped.txt</c> applied.</summary>
    public IReadOnlyList<ApiSymbol> Approved() => PublicApiFile.Parse(
        Name,
        File.ReadAllLines(Repository.PathOf(Path.Combine(Folder, "PublicAPI.Shipped.txt"))),
        File.ReadAllLines(Repository.PathOf(Path.Combine(Folder, "PublicAPI.Unshipped.txt"))));

    /// <summary>The surface the built assembly exports.</summary>
    public IReadOnlyList<ApiSymbol> Exported() => AssemblySurface.Of(Name, Assembly);

    public override string ToString() => Name;
}

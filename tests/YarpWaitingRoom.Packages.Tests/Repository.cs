using System.Xml.Linq;

namespace YarpWaitingRoom.Packages.Tests;

/// <summary>The repository the tests run from: its root, its one package version, the configuration the tests were built in.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>The packages' version: <c>VersionPrefix</c> in the root Directory.Build.props.</summary>
    public static string Version { get; } = XDocument.Load(Path.Combine(Root, "Directory.Build.props"))
        .Descendants("VersionPrefix").Single().Value;

    /// <summary>Release or Debug: the folder above this assembly's <c>net10.0</c>.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "stack")) && File.Exists(Path.Combine(directory.FullName, "YarpWaitingRoom.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (with ./stack and YarpWaitingRoom.sln) not found above " + AppContext.BaseDirectory);
    }
}

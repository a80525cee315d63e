namespace YarpWaitingRoom.OpsTests;

/// <summary>The repository these tests check: found above the test assembly by <c>YarpWaitingRoom.sln</c>.</summary>
internal static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>An absolute path from a repository-relative one (either separator; a leading <c>./</c> is fine).</summary>
    public static string PathOf(string relativePath) =>
        Path.GetFullPath(Path.Combine(Root, relativePath.Replace('\\', '/')));

    /// <summary>The repository-relative form of a path, with forward slashes.</summary>
    public static string Relative(string path) =>
        Path.GetRelativePath(Root, Path.GetFullPath(path, Root)).Replace('\\', '/');

    public static string ReadAllText(string relativePath) => File.ReadAllText(PathOf(relativePath));

    /// <summary>The C# sources of a project folder, without build output.</summary>
    public static IEnumerable<string> SourceFiles(string projectFolder) =>
        Directory.EnumerateFiles(PathOf(projectFolder), "*.cs", SearchOption.AllDirectories)
            .Where(file => !Relative(file).Split('/').Any(part => part is "bin" or "obj"));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "YarpWaitingRoom.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Repository root (with YarpWaitingRoom.sln) not found above " + AppContext.BaseDirectory);
    }
}

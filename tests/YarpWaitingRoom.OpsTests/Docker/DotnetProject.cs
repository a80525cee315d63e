using System.Xml.Linq;

namespace YarpWaitingRoom.OpsTests.Docker;

/// <summary>A .NET project of the repository: its folder, project file, assembly name and project references.</summary>
internal sealed record DotnetProject(string Folder, string ProjectFile, string AssemblyName)
{
    /// <summary>The one project file in a repository folder (e.g. <c>proxy</c>).</summary>
    public static DotnetProject InFolder(string folder)
    {
        var projectFile = Directory.GetFiles(Repository.PathOf(folder), "*.csproj").Single();
        var assemblyName = XDocument.Load(projectFile).Descendants("AssemblyName").Select(e => e.Value).FirstOrDefault()
            ?? Path.GetFileNameWithoutExtension(projectFile);
        return new DotnetProject(Repository.Relative(Path.GetDirectoryName(projectFile)!), Repository.Relative(projectFile), assemblyName);
    }

    /// <summary>Every project this one references, directly or not (repository-relative project files).</summary>
    public IReadOnlyList<DotnetProject> ReferencedProjects()
    {
        var found = new Dictionary<string, DotnetProject>(StringComparer.Ordinal);
        var pending = new Stack<DotnetProject>([this]);
        while (pending.TryPop(out var project))
        {
            var directory = Path.GetDirectoryName(Repository.PathOf(project.ProjectFile))!;
            foreach (var include in XDocument.Load(Repository.PathOf(project.ProjectFile)).Descendants("ProjectReference").Select(e => (string?)e.Attribute("Include")))
            {
                var referenced = InFolder(Repository.Relative(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(directory, include!.Replace('\\', '/'))))!));
                if (found.TryAdd(referenced.ProjectFile, referenced))
                {
                    pending.Push(referenced);
                }
            }
        }

        return [.. found.Values.OrderBy(p => p.ProjectFile, StringComparer.Ordinal)];
    }
}

using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Compose;
using YarpWaitingRoom.OpsTests.Docker;

namespace YarpWaitingRoom.OpsTests;

/// <summary>
/// The Dockerfiles compose.yaml builds, checked without building them: multi-stage on the official .NET images,
/// non-root, a readiness health check on the exposed port, the right entry point, and a restore layer that has every
/// project file it needs (a project reference added later must be copied too, or the image build breaks).
/// </summary>
public partial class DockerfileTests
{
    private static readonly string[] RootUsers = ["root", "0", "0:0", "root:root"];

    public static TheoryData<string> Dockerfiles =>
        new(ComposeFile.RepositoryFile.Services.Values.Select(s => s.Dockerfile).OfType<string>().Distinct().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_IsMultiStage_BuildingOnTheSdkAndRunningOnTheAspNetRuntime(string path)
    {
        var sut = Dockerfile.Load(path);

        Assert.True(sut.Stages.Count >= 2, $"{path} has {sut.Stages.Count} stage(s)");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", sut.Stages[0][0].Arguments, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", sut.FinalStage[0].Arguments, StringComparison.Ordinal);
        Assert.Contains(sut.FinalStage, i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_RunsAsANonRootUser(string path)
    {
        var sut = Dockerfile.Load(path);

        var user = sut.FinalStage.LastOrDefault(i => i.Keyword == "USER");
        Assert.NotNull(user);
        Assert.DoesNotContain(user.Arguments, RootUsers);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_ChecksReadinessOnThePortItExposesAndListensOn(string path)
    {
        var sut = Dockerfile.Load(path);

        var healthcheck = Assert.Single(sut.FinalStage, i => i.Keyword == "HEALTHCHECK");
        var probe = ReadinessUrl().Match(healthcheck.Arguments);
        Assert.True(probe.Success, $"{path}: HEALTHCHECK does not probe /readyz: {healthcheck.Arguments}");
        var expose = Assert.Single(sut.FinalStage, i => i.Keyword == "EXPOSE");
        Assert.Equal(probe.Groups["port"].Value, expose.Arguments.Split('/')[0]);
        Assert.Contains(sut.FinalStage, i => i.Keyword == "ENV" && i.Arguments.Replace(' ', '=') == "ASPNETCORE_HTTP_PORTS=" + expose.Arguments);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_PublishesTheProjectOfItsFolder_AndRunsItsAssembly(string path)
    {
        var sut = Dockerfile.Load(path);
        var project = DotnetProject.InFolder(Path.GetDirectoryName(path)!);

        Assert.Contains(sut.Stages[0], i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish " + project.ProjectFile, StringComparison.Ordinal));
        var entryPoint = Assert.Single(sut.FinalStage, i => i.Keyword == "ENTRYPOINT");
        Assert.Equal(["dotnet", project.AssemblyName + ".dll"], Dockerfile.ExecForm(entryPoint));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Dockerfile_CopiesEveryProjectFileAndBuildSetting_BeforeRestoring_AndCopiesOnlyWhatExists(string path)
    {
        var sut = Dockerfile.Load(path);
        var project = DotnetProject.InFolder(Path.GetDirectoryName(path)!);
        var build = sut.Stages[0];
        var restore = build.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, $"{path} has no separate dotnet restore step");

        var copies = build.Select((instruction, index) => (instruction, index))
            .Where(x => x.instruction.Keyword == "COPY")
            .SelectMany(x => CopySources(x.instruction).Select(source => (source, beforeRestore: x.index < restore)))
            .ToList();
        var copiedBeforeRestore = copies.Where(c => c.beforeRestore).Select(c => c.source).ToHashSet(StringComparer.Ordinal);

        string[] buildSettings = ["global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig"];
        foreach (var required in buildSettings.Concat(project.ReferencedProjects().Prepend(project).Select(p => p.ProjectFile)))
        {
            Assert.True(copiedBeforeRestore.Contains(required), $"{path} does not copy {required} before dotnet restore");
        }

        foreach (var folder in project.ReferencedProjects().Prepend(project).Select(p => p.Folder + "/"))
        {
            Assert.Contains((folder, false), copies);
        }

        foreach (var (source, _) in copies)
        {
            var full = Repository.PathOf(source);
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{path} copies {source}, which does not exist");
        }
    }

    [Fact]
    public void DockerIgnore_KeepsLocalBuildOutputTestsAndSecretsOutOfTheBuildContext()
    {
        var patterns = Repository.ReadAllText(".dockerignore").Split('\n')
            .Select(line => line.Trim().TrimEnd('/'))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToHashSet(StringComparer.Ordinal);

        string[] expected = ["**/bin", "**/obj", "**/node_modules", ".stack", "tests", "bench/results", ".env"];
        foreach (var pattern in expected)
        {
            Assert.Contains(pattern, patterns);
        }
    }

    /// <summary>The build-context sources of a COPY (not <c>--from</c> another stage): every argument but the destination.</summary>
    private static IEnumerable<string> CopySources(DockerInstruction copy)
    {
        var words = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Any(w => w.StartsWith("--from=", StringComparison.Ordinal))
            ? []
            : words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1);
    }

    [GeneratedRegex(@"http://(?:127\.0\.0\.1|localhost):(?<port>\d+)/readyz")]
    private static partial Regex ReadinessUrl();
}

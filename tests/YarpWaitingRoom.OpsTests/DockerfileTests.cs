using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Docker;

namespace YarpWaitingRoom.OpsTests;

/// <summary>
/// The one Dockerfile compose.yaml builds every .NET service from, checked without building it, once per service as
/// that service's build arguments make it: multi-stage on the official .NET images, non-root, a readiness health check
/// on the exposed port, the service's project published and its assembly run, and a restore layer that has every
/// project file it needs (a project reference added later must be copied too, or the image build breaks).
/// </summary>
public partial class DockerfileTests
{
    private static readonly string[] RootUsers = ["root", "0", "0:0", "root:root"];

    public static TheoryData<string> DotnetServices =>
        new(ComposeServices.Dotnet.Select(s => s.Name).Order(StringComparer.Ordinal));

    [Fact]
    public void EveryDotnetService_IsBuiltFromTheOneDockerfile_PassingEveryArgumentItDeclaresWithoutADefault_AndNoOther()
    {
        var dockerfiles = ComposeServices.Dotnet.Select(s => s.Dockerfile).Distinct(StringComparer.Ordinal).ToList();
        Assert.Equal(["Dockerfile"], dockerfiles);
        var others = Directory.EnumerateFiles(Repository.Root, "Dockerfile", SearchOption.AllDirectories)
            .Select(Repository.Relative)
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".git" or ".stack"))
            .ToList();
        Assert.Equal(["Dockerfile"], others);

        var required = Dockerfile.Load("Dockerfile").DeclaredArguments.Where(a => a.Value is null).Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([ComposeServices.AssemblyArgument, ComposeServices.ServiceArgument], required);
        foreach (var service in ComposeServices.Dotnet)
        {
            Assert.Equal(required, service.BuildArgs.Keys.Order(StringComparer.Ordinal));
            Assert.All(service.BuildArgs.Values, value => Assert.False(string.IsNullOrEmpty(value), $"{service.Name} passes an empty build argument"));
        }
    }

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void Image_IsMultiStage_BuildingOnTheSdkAndRunningOnTheAspNetRuntime(string service)
    {
        var sut = ImageOf(service);

        Assert.True(sut.Stages.Count >= 2, $"{sut.Path} has {sut.Stages.Count} stage(s)");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", sut.Stages[0][0].Arguments, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", sut.FinalStage[0].Arguments, StringComparison.Ordinal);
        Assert.Contains(sut.FinalStage, i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void Image_RunsAsANonRootUser(string service)
    {
        var sut = ImageOf(service);

        var user = sut.FinalStage.LastOrDefault(i => i.Keyword == "USER");
        Assert.NotNull(user);
        Assert.False(string.IsNullOrWhiteSpace(user.Arguments), $"{sut.Path}: USER is empty for {service}");
        Assert.DoesNotContain(user.Arguments, RootUsers);
    }

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void Image_ChecksReadinessOnThePortItExposesAndListensOn(string service)
    {
        var sut = ImageOf(service);

        var healthcheck = Assert.Single(sut.FinalStage, i => i.Keyword == "HEALTHCHECK");
        var probe = ReadinessUrl().Match(healthcheck.Arguments);
        Assert.True(probe.Success, $"{sut.Path}: HEALTHCHECK does not probe /readyz: {healthcheck.Arguments}");
        var expose = Assert.Single(sut.FinalStage, i => i.Keyword == "EXPOSE");
        Assert.Equal(probe.Groups["port"].Value, expose.Arguments.Split('/')[0]);
        Assert.Equal(expose.Arguments, sut.FinalEnvironment.GetValueOrDefault("ASPNETCORE_HTTP_PORTS"));
    }

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void Image_PublishesTheProjectOfItsServiceFolder_AndRunsItsAssembly(string service)
    {
        var sut = ImageOf(service);
        var project = DotnetProject.InFolder(ComposeServices.ProjectFolder(ComposeServices.Compose.Services[service]));

        Assert.Equal(project.AssemblyName, ComposeServices.Compose.Services[service].BuildArgs[ComposeServices.AssemblyArgument]);
        Assert.Contains(sut.Stages[0], i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish " + project.ProjectFile + " ", StringComparison.Ordinal));
        var entryPoint = Assert.Single(sut.FinalStage, i => i.Keyword == "ENTRYPOINT");
        Assert.Equal(["dotnet", project.AssemblyName + ".dll"], ContainerCommand(sut, entryPoint));
    }

    [Theory]
    [MemberData(nameof(DotnetServices))]
    public void Image_CopiesEveryProjectFileAndBuildSetting_BeforeRestoring_AndCopiesOnlyWhatExists(string service)
    {
        var sut = ImageOf(service);
        var project = DotnetProject.InFolder(ComposeServices.ProjectFolder(ComposeServices.Compose.Services[service]));
        var build = sut.Stages[0];
        var restore = build.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, $"{sut.Path} has no separate dotnet restore step");

        var copies = build.Select((instruction, index) => (instruction, index))
            .Where(x => x.instruction.Keyword == "COPY")
            .SelectMany(x => CopySources(x.instruction).Select(source => (source, beforeRestore: x.index < restore)))
            .ToList();
        var copiedBeforeRestore = copies.Where(c => c.beforeRestore).Select(c => c.source).ToHashSet(StringComparer.Ordinal);

        string[] buildSettings = ["global.json", "Directory.Build.props", "Directory.Packages.props", ".editorconfig"];
        foreach (var required in buildSettings.Concat(project.ReferencedProjects().Prepend(project).Select(p => p.ProjectFile)))
        {
            Assert.True(copiedBeforeRestore.Contains(required), $"{sut.Path} does not copy {required} before dotnet restore for {service}");
        }

        foreach (var folder in project.ReferencedProjects().Prepend(project).Select(p => p.Folder + "/"))
        {
            Assert.Contains((folder, false), copies);
        }

        foreach (var (source, _) in copies)
        {
            var full = Repository.PathOf(source);
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{sut.Path} copies {source} for {service}, which does not exist");
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

    /// <summary>The Dockerfile of a compose service as its build arguments make it.</summary>
    private static Dockerfile ImageOf(string service)
    {
        var definition = ComposeServices.Compose.Services[service];
        return Dockerfile.Load(definition.Dockerfile!, definition.BuildArgs);
    }

    /// <summary>
    /// What an exec-form ENTRYPOINT runs in the container: its words, or for <c>["/bin/sh", "-c", "exec …", …]</c> the
    /// script's words, with the image's environment expanded (the only variables a container has) and the forwarded
    /// arguments (<c>"$@"</c>) left out.
    /// </summary>
    private static IReadOnlyList<string> ContainerCommand(Dockerfile dockerfile, DockerInstruction entryPoint)
    {
        var words = Dockerfile.ExecForm(entryPoint);
        Assert.NotNull(words);
        if (words is not ["/bin/sh", "-c", var script, ..])
        {
            return words;
        }

        Assert.StartsWith("exec ", script, StringComparison.Ordinal);
        return [.. script["exec ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Trim('"'))
            .Where(word => word != "$@")
            .Select(word => Dockerfile.Expand(word, dockerfile.FinalEnvironment))];
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

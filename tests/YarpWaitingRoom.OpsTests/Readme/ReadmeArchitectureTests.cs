using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Readme;

/// <summary>The README's "where each rule lives" section names real files: a rename that forgets the README fails here.</summary>
public sealed partial class ReadmeArchitectureTests
{
    [Fact]
    public void WhereEachRuleLives_NamesOnlyFilesThatExist()
    {
        var section = Section(Repository.ReadAllText("README.md"), "### Where each rule lives");

        var paths = RepositoryPath().Matches(section).Select(m => m.Groups["path"].Value).Distinct().ToList();

        Assert.True(paths.Count >= 20, $"the section names only {paths.Count} files");
        Assert.All(paths, path => Assert.True(File.Exists(Repository.PathOf(path)), $"README names {path}, which does not exist"));
    }

    [Fact]
    public void WhereEachRuleLives_CoversSwitchAdmissionReaperTokensNoticesAndLimits()
    {
        var section = Section(Repository.ReadAllText("README.md"), "### Where each rule lives");

        foreach (var rule in new[] { "queue switch", "admission", "reaper", "tokens", "notices", "limits" })
        {
            Assert.Contains("| " + rule, section, StringComparison.Ordinal);
        }
    }

    private static string Section(string markdown, string heading)
    {
        var start = markdown.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no '{heading}'");
        var end = markdown.IndexOf("\n#", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    [GeneratedRegex(@"`(?<path>(?:waiting-room|waiting-room-yarp|waiting-room-hub|proxy|socket-hub|backend-reservation|service-defaults)/[A-Za-z0-9_./-]+\.(?:cs|lua|js|json))`")]
    private static partial Regex RepositoryPath();
}

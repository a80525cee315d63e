using System.Text.RegularExpressions;
using YarpWaitingRoom.OpsTests.Readme;

namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>
/// The packages' public surface is what the approved lists (PublicAPI.*.txt) say, and the README's Public API table and
/// gateway code say the same: a public member added, removed or renamed fails here until the lists and the README follow.
/// </summary>
public sealed partial class PublicApiTests
{
    private const string GatewayHeading = "### Add it to your gateway";

    /// <summary>The calls every gateway makes: the README's three lines.</summary>
    private static readonly string[] ThreeLines = ["AddWaitingRoom", "MapWaitingRoomEndpoints", "UseWaitingRoom"];

    [Theory]
    [InlineData("YarpWaitingRoom.Yarp")]
    [InlineData("YarpWaitingRoom.Hub")]
    [InlineData("YarpWaitingRoom.Core")]
    public void BuiltAssembly_ExportsExactlyTheApprovedSymbols(string package)
    {
        var sut = ApiPackage.Named(package);

        var difference = ApiDifference.Of(sut.Approved(), sut.Exported());

        Assert.True(difference.IsEmpty, difference.Describe($"{sut.Folder}/PublicAPI.*.txt", $"{package}.dll"));
        Assert.Contains(sut.Exported(), symbol => symbol.Member is not null);
    }

    [Fact]
    public void ReadmePublicApiTable_ListsExactlyTheApprovedTypesAndMembers()
    {
        var approved = ApiPackage.All.SelectMany(package => package.Approved()).Select(symbol => symbol.Named).Distinct();

        var documented = ReadmeApiTable.Parse(Repository.ReadAllText("README.md")).Distinct();

        var difference = ApiDifference.Of(approved, documented);
        Assert.True(difference.IsEmpty, difference.Describe("the PublicAPI lists", "README's Public API table"));
    }

    [Theory]
    [InlineData("README.md", GatewayHeading)]
    [InlineData("waiting-room-yarp/README.md", "# YarpWaitingRoom.Yarp")]
    public void GatewayCode_CallsTheThreeLines_AndOnlyApprovedMembers(string file, string heading)
    {
        var section = Markdown.Section(Repository.ReadAllText(file), heading);
        var approved = ApiPackage.All.SelectMany(package => package.Approved()).Select(symbol => symbol.Named).ToHashSet();
        var approvedNames = approved.Select(symbol => symbol.Member).ToHashSet(StringComparer.Ordinal);

        var blockCalls = Markdown.CodeBlocks(section, "csharp").SelectMany(Calls).ToHashSet(StringComparer.Ordinal);
        var allCode = string.Join('\n', Markdown.CodeBlocks(section, "csharp").Concat(Markdown.CodeSpans(section)));

        Assert.All(ThreeLines, name => Assert.Contains(name, blockCalls));
        Assert.All(Calls(allCode), name => Assert.True(approvedNames.Contains(name), $"{file} calls {name}(…), which is not in the approved public API"));
        Assert.All(
            OptionsAccess().Matches(allCode).Select(m => new ApiSymbol(ApiPackage.Core.Name, "YarpWaitingRoom.Options." + m.Groups["type"].Value, m.Groups["member"].Value)),
            symbol => Assert.True(approved.Contains(symbol), $"{file} uses {symbol}, which is not in the approved public API"));
    }

    [Fact]
    public void ReadmeTableCheck_WithAMadeUpMemberOrAMissingRow_ReportsBoth()
    {
        var readme = Repository.ReadAllText("README.md");
        var section = Markdown.Section(readme, ReadmeApiTable.Heading);
        var edited = readme.Replace(section, section.Replace("`UseWaitingRoom()`", "`UseWaitingRooms()`", StringComparison.Ordinal), StringComparison.Ordinal);
        var approved = ApiPackage.All.SelectMany(package => package.Approved()).Select(symbol => symbol.Named).Distinct();

        var difference = ApiDifference.Of(approved, ReadmeApiTable.Parse(edited).Distinct());

        var type = "Microsoft.AspNetCore.Builder.WaitingRoomApplicationBuilderExtensions";
        Assert.Equal([new ApiSymbol(ApiPackage.Yarp.Name, type, "UseWaitingRoom")], difference.Missing);
        Assert.Equal([new ApiSymbol(ApiPackage.Yarp.Name, type, "UseWaitingRooms")], difference.Extra);
    }

    [Fact]
    public void SurfaceCheck_WithAMemberTheListLacks_ReportsIt()
    {
        var exported = AssemblySurface.OfType("sample", typeof(Sample));
        var listed = PublicApiFile.Parse("sample", ["#nullable enable"], [
            "#nullable enable",
            "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample",
            "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample.Sample() -> void",
            "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample.Name.get -> string!",
            "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample.Name.init -> void",
            "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample.Changed -> System.EventHandler?",
            "const YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample.Limit = 3 -> int",
            "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample.this[int index].get -> int",
        ]);

        var difference = ApiDifference.Of(listed, exported);

        Assert.Empty(difference.Missing);
        Assert.Equal([new ApiSymbol("sample", "YarpWaitingRoom.OpsTests.PublicApi.PublicApiTests.Sample", "Run")], difference.Extra);
    }

    [Theory]
    [InlineData("Ns.Type", "Ns.Type", null, null)]
    [InlineData("Ns.Outer<T>.Inner", "Ns.Outer<T>.Inner", null, null)]
    [InlineData("static Ns.Ext.Add(this Ns.IBuilder! builder, System.Func<Ns.A!, string?>! f) -> Ns.IBuilder!", "Ns.Ext", "Add", null)]
    [InlineData("Ns.Options.Rooms.get -> System.Collections.Generic.Dictionary<string!, Ns.Room!>!", "Ns.Options", "Rooms", "get")]
    [InlineData("Ns.Options.Name.init -> void", "Ns.Options", "Name", "init")]
    [InlineData("Ns.Options.Options() -> void", "Ns.Options", ApiSymbol.Constructor, null)]
    [InlineData("Ns.Box<T>.Box() -> void", "Ns.Box<T>", ApiSymbol.Constructor, null)]
    [InlineData("const Ns.Options.SectionName = \"WaitingRoom\" -> string!", "Ns.Options", "SectionName", null)]
    [InlineData("Ns.Mode.Paused = 3 -> Ns.Mode", "Ns.Mode", "Paused", null)]
    [InlineData("~override Ns.Box<T>.Map<TOut>(System.Func<T, TOut>! f) -> Ns.Box<TOut>!", "Ns.Box<T>", "Map", null)]
    [InlineData("Ns.List.this[int index].set -> void", "Ns.List", "this", "set")]
    public void PublicApiFile_ReadsTheAnalyzersFormat(string line, string type, string? member, string? accessor)
    {
        var symbol = PublicApiFile.ParseLine("p", line);

        Assert.Equal(new ApiSymbol("p", type, member, accessor), symbol);
    }

    [Fact]
    public void PublicApiFile_RemovedLine_TakesTheShippedSymbolAway_AndAnOperatorIsNotSkipped()
    {
        var symbols = PublicApiFile.Parse("p", ["Ns.A", "Ns.A.Old() -> void"], ["*REMOVED*Ns.A.Old() -> void", "Ns.A.New() -> void"]);

        Assert.Equal([new ApiSymbol("p", "Ns.A"), new ApiSymbol("p", "Ns.A", "New")], symbols);
        Assert.Throws<FormatException>(() => PublicApiFile.ParseLine("p", "static Ns.A.operator ==(Ns.A! a, Ns.A! b) -> bool"));
        Assert.Throws<FormatException>(() => PublicApiFile.Parse("p", [], ["*REMOVED*Ns.A.Gone() -> void"]));
    }

    private static IEnumerable<string> Calls(string code) => WaitingRoomCall().Matches(code).Select(m => m.Groups["name"].Value);

    /// <summary>A call of a waiting-room method: <c>.AddWaitingRoom(</c>, <c>MapWaitingRoomEndpoints(</c>.</summary>
    [GeneratedRegex(@"\b(?<name>[A-Z]\w*WaitingRoom\w*)\s*\(")]
    private static partial Regex WaitingRoomCall();

    /// <summary>A member of a public options type: <c>WaitingRoomOptions.SectionName</c>, <c>RoomMode.On</c>.</summary>
    [GeneratedRegex(@"\b(?<type>WaitingRoomOptions|RoomOptions|RoomMode|FailurePolicy)\.(?<member>[A-Z]\w*)")]
    private static partial Regex OptionsAccess();

    /// <summary>A surface to read: one member of each kind, and <see cref="Run"/>, which the list in the test leaves out.</summary>
    public sealed class Sample
    {
        public const int Limit = 3;

        public event EventHandler? Changed;

        public string Name { get; init; } = string.Empty;

        public int this[int index] => index;

        public void Run(int times) => Changed?.Invoke(this, EventArgs.Empty);

        internal int Hidden() => Name.Length;
    }
}

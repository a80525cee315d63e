using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace YarpWaitingRoom.Packages.Tests;

/// <summary>The .nupkg and .snupkg files <c>./stack pack</c> writes carry what a NuGet user and nuget.org need.</summary>
[Collection(GatewayGroup.Name)]
public sealed class PackageContentTests(GatewayTopology topology)
{
    private static readonly string[] Ids = ["YarpWaitingRoom.Core", "YarpWaitingRoom.Yarp", "YarpWaitingRoom.Hub"];

    public static TheoryData<string> Packages => [.. Ids];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_CarriesReadmeLicenseAndTheXmlDocsOfItsDll(string id)
    {
        using var package = ZipFile.OpenRead(PackagePath(id, "nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToArray();

        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);
        Assert.True(package.GetEntry("README.md")!.Length > 0);
        Assert.True(package.GetEntry($"lib/net10.0/{id}.xml")!.Length > 0);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Nuspec_NamesTheLicenseExpressionTheReadmeAndTheCommitItWasBuiltFrom(string id)
    {
        var metadata = Nuspec(id).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);

        Assert.Equal(Repository.Version, Element("version").Value);
        Assert.Equal("expression", Element("license").Attribute("type")?.Value);
        Assert.Equal("MIT", Element("license").Value);
        Assert.Equal("README.md", Element("readme").Value);
        var repository = Element("repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void SymbolPackage_IsWrittenBesideThePackage_WithThePdbOfItsDll(string id)
    {
        using var symbols = ZipFile.OpenRead(PackagePath(id, "snupkg"));

        Assert.Contains($"lib/net10.0/{id}.pdb", symbols.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void SamplesDefaultPackageVersion_IsTheRepositorysVersion()
    {
        var props = XDocument.Load(Repository.PathOf("samples", "Gateway", "Directory.Packages.props"));

        Assert.Equal(Repository.Version, props.Descendants("YarpWaitingRoomVersion").Single().Value);
    }

    /// <remarks>
    /// Byte for byte except the PDB's identity: the .NET 10 LoggerMessage generator emits its classes in an unstable order
    /// (dotnet/runtime#119587, fixed in .NET 11), so the PDB, and with it the dll's PDB id, checksum, MVID and time stamp
    /// (deterministic builds derive those from the content), can differ while the code, metadata and resources do not.
    /// </remarks>
    [Fact]
    public async Task PackingAgain_GivesDllsIdenticalButForThePdbIdentity()
    {
        var ct = TestContext.Current.CancellationToken;
        var again = Path.Combine(topology.WorkDirectory, "packed-again");

        (await GatewayTopology.PackAsync(again, ct)).EnsureSuccess("./stack pack (again)");

        foreach (var id in Ids)
        {
            Assert.Equal(WithoutPdbIdentity(Dll(PackagePath(id, "nupkg"), id)), WithoutPdbIdentity(Dll(Path.Combine(again, $"{id}.{Repository.Version}.nupkg"), id)));
        }
    }

    private string PackagePath(string id, string extension) => Path.Combine(topology.Feed, $"{id}.{Repository.Version}.{extension}");

    private XDocument Nuspec(string id)
    {
        using var package = ZipFile.OpenRead(PackagePath(id, "nupkg"));
        using var stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream);
    }

    /// <summary>The dll with its time stamp, MVID and debug directory (entries and their data) zeroed.</summary>
    private static byte[] WithoutPdbIdentity(byte[] dll)
    {
        var masked = (byte[])dll.Clone();
        using var pe = new PEReader(new MemoryStream(dll));
        var headers = pe.PEHeaders;
        Array.Clear(masked, headers.CoffHeaderStartOffset + 4, 4);
        var metadata = pe.GetMetadataReader();
        var mvid = MetadataTokens.GetHeapOffset(metadata.GetModuleDefinition().Mvid);
        Array.Clear(masked, headers.MetadataStartOffset + metadata.GetHeapMetadataOffset(HeapIndex.Guid) + ((mvid - 1) * 16), 16);
        var debugTable = headers.PEHeader!.DebugTableDirectory;
        Assert.True(headers.TryGetDirectoryOffset(debugTable, out var debugOffset));
        Array.Clear(masked, debugOffset, debugTable.Size);
        foreach (var entry in pe.ReadDebugDirectory())
        {
            Array.Clear(masked, entry.DataPointer, entry.DataSize);
        }

        return masked;
    }

    private static byte[] Dll(string package, string id)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.GetEntry($"lib/net10.0/{id}.dll")!.Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}

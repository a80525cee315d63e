using YarpWaitingRoom.Bench.Soak;

namespace YarpWaitingRoom.Bench.Tests.Soak;

public sealed class ProcessMemoryTests
{
    [Fact]
    public void ParseKilobytes_ProcStatus_IsBytes()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t274302084 kB\nVmHWM:\t  192880 kB\nVmRSS:\t  192880 kB\nRssAnon:\t   87604 kB\n";

        Assert.Equal(192880L * 1024, ProcessMemory.ParseKilobytes(status, "VmRSS"));
        Assert.Equal(87604L * 1024, ProcessMemory.ParseKilobytes(status, "RssAnon"));
    }

    [Theory]
    [InlineData("Name:\tkthreadd\nState:\tS (sleeping)\n")]
    [InlineData("VmRSS:\tlots\n")]
    [InlineData("VmRSS:\t12 MB\n")]
    public void ParseKilobytes_NoUsableLine_IsNull(string status) => Assert.Null(ProcessMemory.ParseKilobytes(status, "VmRSS"));

    [Fact]
    public void Resident_ThisProcess_IsSomeWithAnAnonymousPart()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/proc is Linux's");

        var resident = ProcessMemory.Resident(Environment.ProcessId);

        Assert.NotNull(resident);
        Assert.InRange(resident.Value.Total, 1024 * 1024, long.MaxValue);
        Assert.InRange(resident.Value.Anonymous ?? 0, 1, resident.Value.Total);
    }

    [Fact]
    public void PidFiles_RunDirectory_ListsEachServiceByName()
    {
        var directory = Directory.CreateTempSubdirectory("bench-pids-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "proxy-a.pid"), "4242\n");
            File.WriteAllText(Path.Combine(directory.FullName, "redis.pid"), "17");
            File.WriteAllText(Path.Combine(directory.FullName, "broken.pid"), "not a pid");
            File.WriteAllText(Path.Combine(directory.FullName, "notes.txt"), "1");

            Assert.Equal([("proxy-a", 4242), ("redis", 17)], ProcessMemory.PidFiles(directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

using System.Runtime.Versioning;
using YarpWaitingRoom.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: SupportedOSPlatform("linux")]

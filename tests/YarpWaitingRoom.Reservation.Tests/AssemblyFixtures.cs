using System.Runtime.Versioning;
using YarpWaitingRoom.Testing;

[assembly: AssemblyFixture(typeof(RedisFixture))]
[assembly: AssemblyFixture(typeof(PostgresFixture))]
[assembly: SupportedOSPlatform("linux")]

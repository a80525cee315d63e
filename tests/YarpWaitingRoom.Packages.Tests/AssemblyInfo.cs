using System.Runtime.Versioning;

// The harness starts Debian's redis-server; the tests run on Linux only.
[assembly: SupportedOSPlatform("linux")]

using System.Runtime.Versioning;

// The harness starts Debian's redis-server and PostgreSQL; it runs on Linux only.
[assembly: SupportedOSPlatform("linux")]

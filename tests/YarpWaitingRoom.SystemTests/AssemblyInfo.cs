using System.Runtime.Versioning;

[assembly: SupportedOSPlatform("linux")]

// Each system test drives a whole stack on a 2-core machine: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

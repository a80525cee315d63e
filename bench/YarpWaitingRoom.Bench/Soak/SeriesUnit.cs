namespace YarpWaitingRoom.Bench.Soak;

/// <summary>What a soak series counts.</summary>
internal enum SeriesUnit
{
    /// <summary>Bytes, printed in MB; growth must exceed 1 MiB as well as the threshold.</summary>
    Bytes,

    /// <summary>A count (metric series), printed as is; growth must exceed 1 as well as the threshold.</summary>
    Count,
}

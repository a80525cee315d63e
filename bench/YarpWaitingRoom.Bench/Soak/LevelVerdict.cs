namespace YarpWaitingRoom.Bench.Soak;

/// <summary>What <see cref="LevelRule"/> says about a series.</summary>
internal enum LevelVerdict
{
    /// <summary>Fewer than <see cref="LevelRule.MinSamples"/> samples: not judged.</summary>
    TooShort,

    /// <summary>The last third is not meaningfully above the middle third, or the series has stopped climbing.</summary>
    LevelsOff,

    /// <summary>The last third is above the middle third and the last half still climbs.</summary>
    Grows,
}

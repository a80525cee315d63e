namespace YarpWaitingRoom.OpsTests.PublicApi;

/// <summary>What one list of symbols has that another lacks, each way, counting repeats (overloads).</summary>
internal sealed record ApiDifference(IReadOnlyList<ApiSymbol> Missing, IReadOnlyList<ApiSymbol> Extra)
{
    public bool IsEmpty => Missing.Count == 0 && Extra.Count == 0;

    /// <summary><see cref="Missing"/>: in <paramref name="expected"/> and not in <paramref name="actual"/>; <see cref="Extra"/>: the reverse.</summary>
    public static ApiDifference Of(IEnumerable<ApiSymbol> expected, IEnumerable<ApiSymbol> actual)
    {
        var missing = expected.ToList();
        var extra = new List<ApiSymbol>();
        foreach (var symbol in actual)
        {
            if (!missing.Remove(symbol))
            {
                extra.Add(symbol);
            }
        }

        return new ApiDifference(missing, extra);
    }

    public string Describe(string expectedName, string actualName) =>
        $"in {expectedName} only:\n  {string.Join("\n  ", Missing)}\nin {actualName} only:\n  {string.Join("\n  ", Extra)}";
}

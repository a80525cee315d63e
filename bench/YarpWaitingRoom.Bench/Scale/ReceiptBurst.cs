namespace YarpWaitingRoom.Bench.Scale;

/// <summary>A run of receipts close together: one push tick as the clients saw it.</summary>
/// <param name="First">Stopwatch timestamp of the first receipt.</param>
/// <param name="Last">Stopwatch timestamp of the last receipt.</param>
/// <param name="Count">Receipts in the run.</param>
internal readonly record struct ReceiptBurst(long First, long Last, int Count)
{
    public long Spread => Last - First;

    /// <summary>
    /// Splits ascending <paramref name="sorted"/> timestamps into bursts wherever two neighbours are more than
    /// <paramref name="gap"/> apart (a hub pushes all its sessions in one go, a push interval after the last time).
    /// </summary>
    public static List<ReceiptBurst> Split(IReadOnlyList<long> sorted, long gap)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        var bursts = new List<ReceiptBurst>();
        if (sorted.Count == 0)
        {
            return bursts;
        }

        var first = sorted[0];
        var count = 1;
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i] - sorted[i - 1] > gap)
            {
                bursts.Add(new ReceiptBurst(first, sorted[i - 1], count));
                first = sorted[i];
                count = 0;
            }

            count++;
        }

        bursts.Add(new ReceiptBurst(first, sorted[^1], count));
        return bursts;
    }

    /// <summary>The largest burst that starts in [<paramref name="from"/>, <paramref name="to"/>); null when none does.</summary>
    public static ReceiptBurst? LargestStartingIn(IEnumerable<ReceiptBurst> bursts, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(bursts);
        ReceiptBurst? largest = null;
        foreach (var burst in bursts)
        {
            if (burst.First >= from && burst.First < to && (largest is not { } l || burst.Count > l.Count))
            {
                largest = burst;
            }
        }

        return largest;
    }
}

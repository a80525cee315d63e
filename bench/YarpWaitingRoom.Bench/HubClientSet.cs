using System.Diagnostics;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// The WebSocket clients of one scenario over one shared <see cref="SocketsHttpHandler"/>: connected with bounded
/// concurrency, closed (bounded in time) and disposed together.
/// </summary>
internal sealed class HubClientSet : IDisposable
{
    private const int ConnectConcurrency = 200;
    private const int CloseConcurrency = 500;

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly List<HubClient> _clients = [];
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    public HubClientCounters Counters { get; } = new();

    public IReadOnlyList<HubClient> Clients => _clients;

    /// <summary>Connects one client per visitor to <paramref name="uriOf"/>'s URL; returns the seconds it took.</summary>
    public async Task<double> ConnectAsync(IReadOnlyList<HubVisitor> visitors, Func<int, HubVisitor, Uri> uriOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visitors);
        ArgumentNullException.ThrowIfNull(uriOf);
        var clients = visitors.Select(visitor => new HubClient(visitor, Counters)).ToArray();
        _clients.AddRange(clients);
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, clients.Length),
            new ParallelOptions { MaxDegreeOfParallelism = ConnectConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => await clients[i].ConnectAsync(uriOf(i, clients[i].Visitor), _invoker, ct));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>Waits until every client has had its first position message (the one sent on connect).</summary>
    public async Task WaitForFirstPositionsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(_clients.Select(c => c.FirstPosition)).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{_clients.Count(c => !c.FirstPosition.IsCompleted)} of {_clients.Count} clients had no position message after {timeout.TotalSeconds:F0} s");
        }
    }

    /// <summary>Closes every socket (close frame, then the hub's answer or the end of the connection, 5 s at most each).</summary>
    public async Task CloseAsync()
    {
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = CloseConcurrency }, async (client, _) => await client.CloseAsync(CloseTimeout));
        var c = Counters;
        Console.WriteLine($"  closed {_clients.Count:N0} sockets in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s: hub answered the close frame {c.CloseAnswered:N0}, dropped the connection instead {c.CloseUnanswered:N0}, no answer in time {c.CloseTimedOut:N0}");
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _invoker.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scale;

/// <summary>
/// The client side of the scale rehearsal in a process of its own (<c>scale-clients</c>; one process may not open more
/// sockets than its open-file limit): it reads its visitors from standard input, connects them with one
/// <see cref="HubClientSet"/> per source address, keeps the receipt time of every message, and answers the rehearsal
/// on standard output (<see cref="ScaleClientProtocol"/>).
/// </summary>
internal static class ScaleClientHost
{
    public const string Name = "scale-clients";

    private const int ReconnectAttempts = 3;

    private static readonly TimeSpan FirstPositionTimeout = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(TextReader input, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var visitors = new List<(IPAddress Source, Uri Uri, string Cookie)>();
        while (await input.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            var fields = line.Split('\t');
            visitors.Add((IPAddress.Parse(fields[0]), new Uri(fields[1]), fields[2]));
        }

        var receipts = new List<(HubClient Client, HubMessageKind Kind, long At)>(visitors.Count * 8);
        void Observe(HubClient client, HubMessage message)
        {
            lock (receipts)
            {
                receipts.Add((client, message.Kind, message.ReceivedAt));
            }
        }

        // One set per source address; each remembers which input line each of its clients is.
        var groups = visitors.Select((v, i) => (v, i)).GroupBy(x => x.v.Source).Select(g => g.ToArray()).ToArray();
        var sets = groups.Select(g => new HubClientSet(g[0].v.Source, Observe)).ToArray();
        try
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await Task.WhenAll(groups.Select((g, s) => sets[s].ConnectAsync(
                    [.. g.Select(x => new HubVisitor(string.Empty, string.Empty, string.Empty, x.v.Cookie))],
                    (i, _) => g[i].v.Uri,
                    cancellationToken)));
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                await Write(output, $"{ScaleClientProtocol.Connected} {seconds.ToString("F2", CultureInfo.InvariantCulture)} {sets.Sum(s => s.ConnectRetries)}");
                // A hub closes a socket it could not greet (1013, Redis busy in a connection storm): connect it again.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await Task.WhenAll(sets.Select(s => s.WaitForFirstPositionsAsync(FirstPositionTimeout, cancellationToken)));
                        break;
                    }
                    catch (InvalidOperationException) when (attempt < ReconnectAttempts)
                    {
                        var again = 0;
                        foreach (var set in sets)
                        {
                            again += await set.ReconnectUngreetedAsync(cancellationToken);
                        }

                        Console.WriteLine($"connected {again} clients again that were closed before their first position");
                    }
                }

                await Write(output, ScaleClientProtocol.Ready);
            }
            catch (Exception ex) when (Scenarios.HubScenarios.IsRunFailure(ex))
            {
                await Write(output, $"{ScaleClientProtocol.Failed} {ex.Message.ReplaceLineEndings(" ")}");
            }

            var index = new Dictionary<HubClient, int>(ReferenceEqualityComparer.Instance);
            for (var s = 0; s < sets.Length; s++)
            {
                var lines = groups[s].Select(x => x.i).ToArray();
                for (var c = 0; c < sets[s].Clients.Count; c++)
                {
                    index[sets[s].Clients[c]] = lines[c];
                }
            }

            while (await input.ReadLineAsync(cancellationToken) is { } command && command != ScaleClientProtocol.Close)
            {
                if (command == ScaleClientProtocol.Report)
                {
                    (HubClient Client, HubMessageKind Kind, long At)[] copy;
                    lock (receipts)
                    {
                        copy = [.. receipts];
                    }

                    foreach (var (client, kind, at) in copy)
                    {
                        await output.WriteLineAsync(ScaleClientProtocol.FormatReceipt(index.GetValueOrDefault(client, -1), kind, at));
                    }

                    await Write(output, $"{ScaleClientProtocol.End} {sets.Sum(s => s.Failed)} {sets.Sum(s => s.ClosedByHub)} {sets.Sum(s => s.UnexpectedMessages)}");
                }
            }
        }
        finally
        {
            foreach (var set in sets)
            {
                await set.CloseAsync();
                await set.DisposeAsync();
            }

            await Write(output, ScaleClientProtocol.Closed);
        }

        return 0;
    }

    private static async Task Write(TextWriter output, string line)
    {
        await output.WriteLineAsync(line);
        await output.FlushAsync();
    }
}

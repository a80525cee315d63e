using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Threading.Channels;
using YarpWaitingRoom.Testing.Hub;

namespace YarpWaitingRoom.Bench.Scale;

/// <summary>
/// One client process of the scale rehearsal (this bench run as <c>scale-clients</c>, see <see cref="ScaleClientHost"/>):
/// started with the slice of visitors it connects, asked for its receipts and closed. Disposing kills it.
/// </summary>
internal sealed class ScaleClientProcess : IDisposable
{
    private const int ProseLinesKept = 50;

    private readonly ChildProcess _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    private ScaleClientProcess(int first, ChildProcess process)
    {
        First = first;
        _process = process;
    }

    public string Name => _process.Name;

    /// <summary>The index of its first client in the rehearsal's numbering.</summary>
    public int First { get; }

    public int Id => _process.Id;

    /// <summary>CPU time the process has used so far (user and system).</summary>
    public TimeSpan CpuTime => _process.CpuTime;

    /// <summary>The lines it wrote that are not part of the protocol (its close summary, an exception).</summary>
    public string Prose => _process.Tail;

    /// <summary>Starts the process and hands it its clients: (source address, socket URL, cookie) each.</summary>
    public static async Task<ScaleClientProcess> StartAsync(
        string name, int first, IEnumerable<(IPAddress Source, Uri Uri, string Cookie)> clients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        start.ArgumentList.Add(ScaleClientHost.Name);
        var child = new ChildProcess(name, start, ProseLinesKept);
        var client = new ScaleClientProcess(first, child);
        var process = child.Process;
        process.OutputDataReceived += (_, e) => client.Take(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var input = process.StandardInput;
            foreach (var (source, uri, cookie) in clients)
            {
                await input.WriteLineAsync($"{source}\t{uri}\t{cookie}".AsMemory(), cancellationToken);
            }

            await input.WriteLineAsync(string.Empty.AsMemory(), cancellationToken);
            await input.FlushAsync(cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Waits for <see cref="ScaleClientProtocol.Connected"/>: the seconds connecting took and the retries.</summary>
    public async Task<(double Seconds, long Retries)> ConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var fields = (await ExpectAsync(ScaleClientProtocol.Connected, timeout, cancellationToken)).Split(' ');
        return (double.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Waits for <see cref="ScaleClientProtocol.Ready"/>: every client had its first position.</summary>
    public Task ReadyAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        ExpectAsync(ScaleClientProtocol.Ready, timeout, cancellationToken);

    /// <summary>Every message its clients received so far (client numbered in the rehearsal), and its failure counts.</summary>
    public async Task<(List<(int Client, HubMessageKind Kind, long At)> Receipts, int Failed, int ClosedByHub, long Unexpected)> ReportAsync(
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _process.Process.StandardInput.WriteLineAsync(ScaleClientProtocol.Report.AsMemory(), cancellationToken);
        await _process.Process.StandardInput.FlushAsync(cancellationToken);
        var receipts = new List<(int, HubMessageKind, long)>();
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        expiry.CancelAfter(timeout);
        while (true)
        {
            var line = await ReadAsync(expiry.Token);
            if (ScaleClientProtocol.TryParseReceipt(line, out var client, out var kind, out var at))
            {
                if (client < 0)
                {
                    continue; // a message before the process knew which client it was for (never expected)
                }

                receipts.Add((First + client, kind, at));
            }
            else if (line.StartsWith(ScaleClientProtocol.End, StringComparison.Ordinal))
            {
                var fields = line.Split(' ');
                return (receipts, int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>Tells it to close its sockets and waits (bounded) until it has.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        try
        {
            await _process.Process.StandardInput.WriteLineAsync(ScaleClientProtocol.Close);
            await _process.Process.StandardInput.FlushAsync();
            await ExpectAsync(ScaleClientProtocol.Closed, timeout, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException)
        {
            _process.Keep($"close: {ex.Message}");
        }
    }

    public void Dispose() => _process.Dispose();

    private async Task<string> ExpectAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        expiry.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var line = await ReadAsync(expiry.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }

                if (line.StartsWith(ScaleClientProtocol.Failed, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{Name}: {line[ScaleClientProtocol.Failed.Length..].Trim()}");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name}: no '{prefix}' within {timeout.TotalSeconds:F0} s:{Environment.NewLine}{Prose}");
        }
    }

    private async Task<string> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _lines.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"{Name} exited:{Environment.NewLine}{Prose}");
        }
    }

    private void Take(string? line)
    {
        if (line is null)
        {
            _lines.Writer.TryComplete();
        }
        else if (line.StartsWith('#'))
        {
            _lines.Writer.TryWrite(line);
        }
        else
        {
            _process.Keep(line);
        }
    }
}

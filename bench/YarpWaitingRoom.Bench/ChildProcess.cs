using System.Diagnostics;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// A process the bench starts (a service, a client process of the scale rehearsal): the last lines it wrote that someone
/// may need for a diagnosis, its CPU time, and its end: disposing kills it and everything it started.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Queue<string> _tail = new();
    private readonly int _linesKept;

    public ChildProcess(string name, ProcessStartInfo start, int linesKept)
    {
        Name = name;
        Process = new Process { StartInfo = start };
        _linesKept = linesKept;
    }

    /// <summary>What messages call it (<c>proxy</c>, <c>hub bench-hub-a</c>, <c>clients 3</c>).</summary>
    public string Name { get; }

    /// <summary>The process itself, for its owner to start and to talk to.</summary>
    public Process Process { get; }

    /// <summary>The process id (the <c>dotnet</c> host runs the app in its own process).</summary>
    public int Id => Process.Id;

    public bool HasExited => Process.HasExited;

    /// <summary>CPU time the process has used so far (user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            Process.Refresh();
            return Process.TotalProcessorTime;
        }
    }

    /// <summary>The last lines kept (see <see cref="Keep"/>), oldest first.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    /// <summary>Keeps <paramref name="line"/> among the last lines (a null line, the end of a stream, is ignored).</summary>
    public void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > _linesKept)
            {
                _tail.Dequeue();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        Process.Dispose();
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace YarpWaitingRoom.Bench;

/// <summary>
/// One of the repo's ASP.NET Core services (<c>dotnet &lt;assembly&gt;</c>) as a child process on a free loopback port,
/// configured through environment variables only. Disposing kills it (and anything it started).
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private const int OutputLinesKept = 200;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private ServiceProcess(ChildProcess process, Uri url, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        Url = url;
        Environment = environment;
    }

    /// <summary>The environment it was started with (on top of the bench's own): its configuration, secrets included.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>What messages call it (<c>proxy</c>, <c>hub bench-hub-a</c>).</summary>
    public string Name => _process.Name;

    public Uri Url { get; }

    /// <summary>The process id (the <c>dotnet</c> host runs the app in its own process).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>CPU time the service has used so far (user and system).</summary>
    public TimeSpan CpuTime => _process.CpuTime;

    /// <summary>The last lines the service wrote (stdout and stderr), for diagnosis.</summary>
    public string Output => _process.Tail;

    /// <summary>Resident set size (<c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>), in bytes.</summary>
    public long ResidentBytes() => ProcStatusBytes("VmRSS");

    /// <summary>Peak resident set size (<c>VmHWM</c>), in bytes.</summary>
    public long PeakResidentBytes() => ProcStatusBytes("VmHWM");

    /// <summary>
    /// Starts <paramref name="assembly"/> and waits until <c>/readyz</c> answers 200. The working directory (the content
    /// root: appsettings.json, wwwroot) is <paramref name="contentRoot"/>, else the assembly's folder.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string name, string assembly, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, string? contentRoot = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var url = new Uri($"http://127.0.0.1:{FreePort().ToString(CultureInfo.InvariantCulture)}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = contentRoot ?? Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.Environment["ASPNETCORE_URLS"] = url.ToString().TrimEnd('/');
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        var child = new ChildProcess(name, start, OutputLinesKept);
        var service = new ServiceProcess(child, url, environment);
        var process = child.Process;
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await service.WaitUntilReadyAsync(cancellationToken);
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    public void Dispose() => _process.Dispose();

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the {Name} exited with code {_process.Process.ExitCode}:{System.Environment.NewLine}{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow first answer: ask again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        throw new TimeoutException($"the {Name} was not ready within {ReadyTimeout.TotalSeconds:F0} s:{System.Environment.NewLine}{Output}");
    }

    private long ProcStatusBytes(string field) =>
        Soak.ProcessMemory.ParseKilobytes(File.ReadAllText($"/proc/{Id.ToString(CultureInfo.InvariantCulture)}/status"), field)
            ?? throw new InvalidOperationException($"/proc/{Id}/status has no {field}");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

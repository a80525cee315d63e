using System.Diagnostics;
using System.Text;

namespace YarpWaitingRoom.Testing;

/// <summary>Runs a command to completion and captures what it printed.</summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, string Output)
    {
        public Result EnsureSuccess(string what) => ExitCode == 0
            ? this
            : throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:{Environment.NewLine}{Output}");
    }

    public static async Task<Result> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                startInfo.Environment[name] = value;
            }
        }

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        var gate = new object();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}:{Environment.NewLine}{output}");
        }

        // WaitForExitAsync returns once the process exits; this flushes the redirected streams.
        process.WaitForExit();
        lock (gate)
        {
            return new Result(process.ExitCode, output.ToString());
        }

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                output.AppendLine(line);
            }
        }
    }
}

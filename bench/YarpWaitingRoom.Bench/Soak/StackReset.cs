using System.Diagnostics;

namespace YarpWaitingRoom.Bench.Soak;

/// <summary>Runs <c>./stack reset</c> (every seat free, every room empty) with this process's environment, so the same <c>STACK_*</c> variables apply.</summary>
internal static class StackReset
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public static bool Available => File.Exists(StackEndpoints.StackScript);

    /// <summary>Exit code 0 and the output, or false and what went wrong.</summary>
    public static async Task<(bool Succeeded, string Output)> RunAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = StackEndpoints.RepositoryRoot,
        };
        start.ArgumentList.Add(StackEndpoints.StackScript);
        start.ArgumentList.Add("reset");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (false, $"./stack reset did not finish within {Timeout.TotalSeconds:0} s");
        }

        var output = (await stdout + await stderr).Trim();
        return (process.ExitCode == 0, output);
    }
}

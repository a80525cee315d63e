using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace YarpWaitingRoom.OpsTests.Kubernetes;

/// <summary>
/// Runs <c>node deploy/kubernetes/validate/validate.mjs -</c> over a rendered manifest stream (<c>kubectl kustomize</c>
/// output): an offline check against the schemas of the one Kubernetes version that script pins, which also rejects
/// unknown fields, unknown kinds, unnamed and duplicate objects. See <c>deploy/kubernetes/validate/README.md</c>.
/// </summary>
internal static partial class ManifestValidator
{
    private const string ValidatorFolder = "deploy/kubernetes/validate";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task<ManifestValidation> ValidateAsync(string yaml, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        EnsureInstalled();

        var startInfo = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add($"{ValidatorFolder}/validate.mjs");
        startInfo.ArgumentList.Add("-");

        using var node = new Process { StartInfo = startInfo };
        try
        {
            node.Start();
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException("node is not on PATH: ./stack test installs it (Debian's nodejs) with the validator's npm packages.", exception);
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(Timeout);
        var standardOutput = node.StandardOutput.ReadToEndAsync(timeoutSource.Token);
        var standardError = node.StandardError.ReadToEndAsync(timeoutSource.Token);
        try
        {
            await WriteInputAsync(node, yaml, timeoutSource.Token);
            await node.WaitForExitAsync(timeoutSource.Token);
            var output = await standardOutput + await standardError;
            return Parse(node.ExitCode, output);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {ValidatorFolder}/validate.mjs did not finish within {Timeout}.");
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }
    }

    private static async Task WriteInputAsync(Process node, string yaml, CancellationToken cancellationToken)
    {
        try
        {
            await node.StandardInput.WriteAsync(yaml.AsMemory(), cancellationToken);
            node.StandardInput.Close();
        }
        catch (IOException)
        {
            // The script stopped before reading all of its input; what it printed says why.
        }
    }

    private static ManifestValidation Parse(int exitCode, string output)
    {
        var summary = Summary().Match(output);
        return summary.Success
            ? new ManifestValidation(
                exitCode,
                output,
                int.Parse(summary.Groups["validated"].Value, CultureInfo.InvariantCulture),
                int.Parse(summary.Groups["invalid"].Value, CultureInfo.InvariantCulture),
                summary.Groups["version"].Value)
            : new ManifestValidation(exitCode, output, Validated: 0, Invalid: 0, KubernetesVersion: null);
    }

    private static void EnsureInstalled()
    {
        if (!File.Exists(Repository.PathOf($"{ValidatorFolder}/node_modules/.package-lock.json")))
        {
            throw new InvalidOperationException(
                $"The Kubernetes manifest validator's npm packages are not installed ({ValidatorFolder}/node_modules is missing): " +
                $"run ./stack test, which installs them, or `npm ci` in {ValidatorFolder}.");
        }
    }

    [GeneratedRegex(@"^validated (?<validated>\d+) objects against Kubernetes (?<version>\S+): (?<invalid>\d+) invalid$", RegexOptions.Multiline)]
    private static partial Regex Summary();
}

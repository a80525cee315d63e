namespace YarpWaitingRoom.Testing;

/// <summary>
/// The draw verifier exactly as the README prints it (between <c>&lt;!-- verify-draw.mjs --&gt;</c> and
/// <c>&lt;!-- /verify-draw.mjs --&gt;</c>), written to a temporary file and run with <c>node</c>.
/// </summary>
public static class ReadmeVerifier
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary>The script's text: the fenced code block between the README's markers.</summary>
    public static string Text() => ReadmeCode.Block("verify-draw.mjs");

    /// <summary>Runs the README's verifier on an event document and a participants document (files or URLs).</summary>
    public static async Task<ExternalProcess.Result> RunAsync(string directory, string eventDocument, string participantsDocument)
    {
        var script = Path.Combine(directory, "verify-draw.mjs");
        await File.WriteAllTextAsync(script, Text(), TestContext.Current.CancellationToken);
        return await ExternalProcess.RunAsync(
            "node", [script, eventDocument, participantsDocument], Timeout, workingDirectory: directory, cancellationToken: TestContext.Current.CancellationToken);
    }
}

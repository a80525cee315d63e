using System.Text.Json;
using YarpWaitingRoom.Invitations;
using YarpWaitingRoom.Testing;

namespace YarpWaitingRoom.Tests.Invitations;

/// <summary>The JavaScript signer exactly as the README prints it, run with node.</summary>
public sealed class ReadmeSignerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private const string Driver = """
        import { signInvitationKey } from './invitation-key.mjs';
        for (const [secret, room, member, expiresAt, asDate] of JSON.parse(process.argv[2])) {
          try {
            console.log(await signInvitationKey(secret, room, member, asDate ? new Date(expiresAt * 1000 + 999) : expiresAt));
          } catch (error) {
            console.log(`${error.name}: ${error.message}`);
          }
        }
        """;

    [Fact]
    public async Task ReadmeSigner_GivesTheFixedKeys_AndTheCSharpSignersKeys_WhichVerify()
    {
        var vectors = InvitationVectors.All.Select(row => ((string, string, string, long, string))row.Data).ToList();
        var cases = vectors.Select(v => new object[] { v.Item1, v.Item2, v.Item3, v.Item4, false })
            .Append([InvitationVectors.Secret, InvitationVectors.Room, InvitationVectors.Member, InvitationVectors.Expiry, true])
            .ToList();

        var lines = await RunAsync(cases);

        Assert.Equal(cases.Count, lines.Count);
        for (var i = 0; i < vectors.Count; i++)
        {
            var (secret, room, member, expiry, key) = vectors[i];
            Assert.Equal(key, lines[i]);
            Assert.Equal(InvitationKeys.Sign(secret, room, member, DateTimeOffset.FromUnixTimeSeconds(expiry)), lines[i]);
            var status = new InvitationKeyVerifier(room, [secret]).Verify(lines[i], DateTimeOffset.FromUnixTimeSeconds(expiry - 1), out var verified);
            Assert.Equal((InvitationKeyStatus.Valid, member), (status, verified));
        }

        Assert.Equal(InvitationVectors.Key, lines[^1]); // a Date, truncated to the second
    }

    [Fact]
    public async Task ReadmeSigner_RefusesWhatTheFormatCannotCarry()
    {
        object[][] cases =
        [
            ["0123456789012345678901234567890", "concert", "fan", 1, false], // 31 characters
            [InvitationVectors.Secret, "Concert", "fan", 1, false],
            [InvitationVectors.Secret, "concert", "fan.1", 1, false],
            [InvitationVectors.Secret, "concert", "팬", 1, false],
            [InvitationVectors.Secret, "concert", new string('m', 65), 1, false],
            [InvitationVectors.Secret, "concert", "fan", -1, false],
            [InvitationVectors.Secret, "concert", "fan", 253402300800, false],
        ];

        var lines = await RunAsync(cases);

        Assert.Equal(cases.Length, lines.Count);
        Assert.All(lines, line => Assert.StartsWith("RangeError: ", line, StringComparison.Ordinal));
    }

    private static async Task<List<string>> RunAsync(IEnumerable<object[]> cases)
    {
        var directory = Directory.CreateTempSubdirectory("invitation-signer-");
        try
        {
            var cancellationToken = TestContext.Current.CancellationToken;
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "invitation-key.mjs"), ReadmeCode.Block("invitation-key.mjs"), cancellationToken);
            var driver = Path.Combine(directory.FullName, "sign.mjs");
            await File.WriteAllTextAsync(driver, Driver, cancellationToken);
            var result = (await ExternalProcess.RunAsync(
                "node", [driver, JsonSerializer.Serialize(cases)], Timeout, workingDirectory: directory.FullName, cancellationToken: cancellationToken))
                .EnsureSuccess("node sign.mjs");
            return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

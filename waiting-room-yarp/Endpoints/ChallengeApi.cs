using Microsoft.AspNetCore.Http.HttpResults;
using YarpWaitingRoom.Challenges;
using YarpWaitingRoom.Options;
using YarpWaitingRoom.Protocol;
using YarpWaitingRoom.Switch;
using YarpWaitingRoom.Yarp.Contracts;
using YarpWaitingRoom.Yarp.Diagnostics;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Endpoints;

/// <summary>
/// A room's proof-of-work challenge under the admin API, for an operator who turns it up during an attack:
/// <c>PUT /_wr/admin/rooms/&lt;room&gt;/challenge {"mode": "ProofOfWork", "difficulty": 18}</c> stores it with the room's
/// state, which every proxy and hub reads within a second (this proxy at once); <c>GET</c> shows it. Raising the
/// difficulty refuses the cheaper challenges handed out before (their holders are given a new one); lowering it leaves
/// harder ones valid. Mapped inside <see cref="AdminApi"/>'s guarded group; each change is logged.
/// </summary>
internal static partial class ChallengeApi
{
    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);
        admin.MapPut("/rooms/{room}/challenge", SetAsync);
        admin.MapGet("/rooms/{room}/challenge", GetAsync);
    }

    public static async Task<Results<Ok<ChallengeSetting>, ProblemHttpResult>> SetAsync(
        string room, ChallengeSetting request, RoomRegistry rooms, HttpContext context, Console.OperatorAudit audit, TimeProvider timeProvider, ILogger<RoomRegistry> logger)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        // Names only: Enum.TryParse would also take "1" or "None,ProofOfWork".
        var modes = Enum.GetValues<ChallengeMode>().Where(m => string.Equals(m.ToString(), request.Mode, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (modes.Length != 1)
        {
            return Invalid("mode", $"'mode' must be one of {string.Join(", ", Enum.GetNames<ChallengeMode>())}.");
        }

        if (request.Difficulty is { } asked && asked is < ChallengeService.MinDifficulty or > ChallengeService.MaxDifficulty)
        {
            return Invalid("difficulty", $"'difficulty' must be a whole number from {ChallengeService.MinDifficulty} to {ChallengeService.MaxDifficulty} (leading zero bits).");
        }

        var now = timeProvider.GetUtcNow();
        var call = target.BeginStateCall();
        var current = target.Snapshot.ChallengeOf(target.Options);
        var written = await target.Switch.SetChallengeAsync(new RoomChallenge(modes[0], request.Difficulty ?? current.Difficulty), now);
        target.Publish(call, written);
        var set = written.ChallengeOf(target.Options);
        Log.ChallengeSet(logger, target.Name, set.Mode, set.Difficulty);
        await audit.RecordAsync(context, target, "challenge", $"{current.Mode} {current.Difficulty} → {set.Mode} {set.Difficulty}");
        return TypedResults.Ok(View(set));
    }

    public static async Task<Results<Ok<ChallengeSetting>, ProblemHttpResult>> GetAsync(string room, RoomRegistry rooms, TimeProvider timeProvider)
    {
        if (!rooms.TryGet(room, out var target))
        {
            return AdminApi.RoomNotFound(room);
        }

        var snapshot = await target.Switch.ReadAsync(timeProvider.GetUtcNow());
        return TypedResults.Ok(View(snapshot.ChallengeOf(target.Options)));
    }

    /// <summary>The challenge as the admin API shows it (here and in the room view).</summary>
    public static ChallengeSetting View(RoomChallenge challenge) => new(challenge.Mode.ToString(), challenge.Difficulty);

    private static ProblemHttpResult Invalid(string field, string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "Invalid challenge",
        detail: detail,
        type: ProblemTypes.InvalidChallenge,
        extensions: new Dictionary<string, object?> { ["field"] = field });

    private static partial class Log
    {
        [LoggerMessage(EventIds.ChallengeSet, LogLevel.Warning, "Room {Room}: challenge set by an operator to {Mode} at difficulty {Difficulty}")]
        public static partial void ChallengeSet(ILogger logger, string room, ChallengeMode mode, int difficulty);
    }
}

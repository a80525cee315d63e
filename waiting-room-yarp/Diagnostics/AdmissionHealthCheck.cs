using Microsoft.Extensions.Diagnostics.HealthChecks;
using YarpWaitingRoom.Yarp.Rooms;

namespace YarpWaitingRoom.Yarp.Diagnostics;

/// <summary>
/// <c>/readyz</c> detail on admission liveness: Degraded (still 200: the proxy can serve) naming every room whose
/// admission is stalled, with the last admission run per room.
/// </summary>
internal sealed class AdmissionHealthCheck(RoomRegistry rooms) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var stalled = new List<string>();
        foreach (var room in rooms.All)
        {
            var last = room.Snapshot.LastAdmissionRun;
            data[room.Name + ".lastAdmissionRun"] = last?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "never";
            if (room.AdmissionStalledSince is { } since)
            {
                stalled.Add(room.Name);
                data[room.Name + ".stalledSince"] = since.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return Task.FromResult(stalled.Count == 0
            ? HealthCheckResult.Healthy("Admission is running.", data)
            : HealthCheckResult.Degraded("Admission stalled in: " + string.Join(", ", stalled), data: data));
    }
}

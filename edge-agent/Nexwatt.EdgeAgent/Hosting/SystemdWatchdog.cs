using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Nexwatt.Hosting;

namespace Nexwatt.EdgeAgent.Hosting;

/// <summary>
/// The agent's systemd watchdog (<see cref="SystemdHealthWatchdog"/>, shared with the collector): fed only while the agent
/// is live: every loop of <see cref="AgentLiveness"/> on time within half the period, and the reading buffer storing
/// readings, and nothing else that <see cref="Observability.AgentHealth"/> counts as unhealthy (no device read for N
/// intervals, an uplink that delivers nothing while the buffer grows, a buffer near its bound).
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, AgentLiveness liveness, Func<bool> bufferHealthy, TimeProvider time,
    ILogger<SystemdWatchdog> logger, TimeSpan? period = null, Func<TimeSpan, Observability.HealthReport>? health = null)
    : SystemdHealthWatchdog(notifier, grace => FindProblem(grace, liveness, bufferHealthy, health), HealthyStatus, time,
        reason => Log.WatchdogWithheld(logger, reason), () => Log.WatchdogResumed(logger), period)
{
    private const string BufferProblem = "the reading buffer cannot store readings (held in memory, retrying)";
    internal static readonly string BufferUnhealthyStatus = UnhealthyStatus(BufferProblem);
    internal const string HealthyStatus = "STATUS=Polling devices";

    private static string? FindProblem(TimeSpan grace, AgentLiveness liveness, Func<bool> bufferHealthy, Func<TimeSpan, Observability.HealthReport>? health) =>
        !bufferHealthy() ? BufferProblem
        : liveness.FindStalled(grace) is { } stalled ? $"{stalled} has made no progress"
        : health?.Invoke(grace).Problems.FirstOrDefault(p => p.Severity == Observability.HealthSeverity.Unhealthy)?.Message;
}

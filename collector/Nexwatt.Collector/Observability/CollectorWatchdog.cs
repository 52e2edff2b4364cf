using Microsoft.Extensions.Hosting.Systemd;
using Nexwatt.Collector.Hosting;
using Nexwatt.Hosting;

namespace Nexwatt.Collector.Observability;

/// <summary>
/// The collector's systemd watchdog (<see cref="SystemdHealthWatchdog"/>, shared with the agent): fed only while
/// <see cref="CollectorHealth"/> (what /readyz reports) finds nothing wrong, i.e. the store answers and the interval
/// worker keeps up; otherwise STATUS= names the first problem and systemd restarts the collector after WatchdogSec=.
/// </summary>
internal sealed class CollectorWatchdog(ISystemdNotifier notifier, CollectorHealth health, TimeProvider time, ILogger<CollectorWatchdog> logger, TimeSpan? period = null)
    : SystemdHealthWatchdog(notifier, _ => health.Problems() is [var first, ..] ? first.Message : null, HealthyStatus, time,
        reason => HostingLog.WatchdogWithheld(logger, reason), () => HostingLog.WatchdogResumed(logger), period)
{
    internal const string HealthyStatus = "STATUS=Serving sites";
}

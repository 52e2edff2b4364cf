using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Nexwatt.Hosting;

/// <summary>
/// The systemd watchdog of our services (agent and collector), compiled into each from this one file (protocols/Shared):
/// WATCHDOG=1 at half the period systemd asks for (<c>WATCHDOG_USEC</c>), but only while the service's own health check
/// finds nothing unhealthy; otherwise STATUS= names the problem and the watchdog is not fed, so systemd restarts a
/// service that hangs or cannot do its work (<c>WatchdogSec=</c> in the unit). READY=1 and STOPPING=1 are
/// Microsoft.Extensions.Hosting.Systemd's (<c>AddSystemd</c>), which never sends WATCHDOG=1 itself.
/// </summary>
/// <param name="findProblem">Given the grace (half the period), the unhealthy problem in words, or null when healthy.</param>
/// <param name="healthyStatus">The STATUS= line sent when the service is healthy again, e.g. "STATUS=Polling devices".</param>
/// <param name="logWithheld">Logs (once per new reason) that the watchdog is no longer fed, with the problem.</param>
/// <param name="logResumed">Logs that the service is healthy again and the watchdog fed.</param>
internal class SystemdHealthWatchdog(ISystemdNotifier notifier, Func<TimeSpan, string?> findProblem, string healthyStatus, TimeProvider time,
    Action<string> logWithheld, Action logResumed, TimeSpan? period = null) : IHostedLifecycleService, IDisposable
{
    private readonly TimeSpan? _period = period ?? ReadWatchdogPeriod();
    private ITimer? _timer;
    private string? _withheldFor;

    /// <summary>The STATUS= line for a problem, e.g. "STATUS=Unhealthy: the store fails; watchdog not fed".</summary>
    public static string UnhealthyStatus(string problem) => $"STATUS=Unhealthy: {problem}; watchdog not fed";

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (notifier.IsEnabled && _period is { } watchdog && watchdog > TimeSpan.Zero)
            _timer = time.CreateTimer(_ => Tick(watchdog / 2), null, watchdog / 2, watchdog / 2);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _timer?.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Tick(TimeSpan grace)
    {
        if (findProblem(grace) is not { } problem)
        {
            if (_withheldFor is not null)
            {
                _withheldFor = null;
                logResumed();
                notifier.Notify(new ServiceState(healthyStatus));
            }
            notifier.Notify(new ServiceState("WATCHDOG=1"));
            return;
        }
        var status = UnhealthyStatus(problem);
        if (_withheldFor != status)
        {
            _withheldFor = status;
            logWithheld(problem);
        }
        notifier.Notify(new ServiceState(status));
    }

    private static TimeSpan? ReadWatchdogPeriod() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0 ? TimeSpan.FromMicroseconds(usec) : null;
}

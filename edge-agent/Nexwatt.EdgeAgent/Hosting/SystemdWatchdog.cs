using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Hosting;

/// <summary>
/// Sends WATCHDOG=1 through the systemd notifier at half the period systemd asks for (<c>WATCHDOG_USEC</c>), but only
/// while the agent is live: every loop of <see cref="AgentLiveness"/> on time within half the period, and the reading
/// buffer storing readings, and nothing else that <see cref="Observability.AgentHealth"/> counts as unhealthy (no device
/// read for N intervals, an uplink that delivers nothing while the buffer grows, a buffer near its bound). Otherwise STATUS= says why and the watchdog is not fed, so systemd restarts an agent that
/// hangs or cannot keep what it reads (<c>WatchdogSec=</c> in the unit). READY and STOPPING are the package's
/// (<c>AddSystemd</c>); Microsoft.Extensions.Hosting.Systemd never sends WATCHDOG=1 itself.
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier, AgentLiveness liveness, Func<bool> bufferHealthy, TimeProvider time,
    ILogger<SystemdWatchdog> logger, TimeSpan? period = null, Func<TimeSpan, Observability.HealthReport>? health = null) : IHostedLifecycleService, IDisposable
{
    internal const string BufferUnhealthyStatus = "STATUS=Unhealthy: the reading buffer cannot store readings (held in memory, retrying); watchdog not fed";
    internal const string HealthyStatus = "STATUS=Polling devices";

    private readonly TimeSpan? _period = period ?? ReadWatchdogPeriod();
    private ITimer? _timer;
    private string? _withheldFor;

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

    public void Dispose() => _timer?.Dispose();

    private void Tick(TimeSpan grace)
    {
        var reason = !bufferHealthy() ? BufferUnhealthyStatus
            : liveness.FindStalled(grace) is { } stalled ? $"STATUS=Unhealthy: {stalled} has made no progress; watchdog not fed"
            : health?.Invoke(grace).Problems.FirstOrDefault(p => p.Severity == Observability.HealthSeverity.Unhealthy) is { } problem
                ? $"STATUS=Unhealthy: {problem.Message}; watchdog not fed"
            : null;
        if (reason is null)
        {
            if (_withheldFor is not null)
            {
                _withheldFor = null;
                Log.WatchdogResumed(logger);
                notifier.Notify(new ServiceState(HealthyStatus));
            }
            notifier.Notify(new ServiceState("WATCHDOG=1"));
            return;
        }
        if (_withheldFor != reason)
        {
            _withheldFor = reason;
            Log.WatchdogWithheld(logger, reason["STATUS=".Length..]);
        }
        notifier.Notify(new ServiceState(reason));
    }

    private static TimeSpan? ReadWatchdogPeriod() =>
        long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), out var usec) && usec > 0 ? TimeSpan.FromMicroseconds(usec) : null;
}

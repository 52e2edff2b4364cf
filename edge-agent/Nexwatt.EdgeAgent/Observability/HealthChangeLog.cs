using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Observability;

/// <summary>
/// Logs every change of the agent's health, one line when a problem appears (Warning) and one when it clears
/// (Information), so that the journal tells when the agent went wrong without a line per check. The first check runs
/// at start: an agent with no uplink configured says so at once, loudly.
/// </summary>
internal sealed class HealthChangeLog(AgentHealth health, TimeProvider time, ILogger logger, TimeSpan? interval = null)
    : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private HashSet<string> _open = [];
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var every = interval ?? TimeSpan.FromSeconds(15);
        _timer = time.CreateTimer(_ => Check(), null, TimeSpan.Zero, every);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    internal void Check()
    {
        var report = health.Evaluate();
        lock (_gate)
        {
            var now = report.Problems.Select(p => p.Code).ToHashSet(StringComparer.Ordinal);
            foreach (var problem in report.Problems.Where(p => !_open.Contains(p.Code)))
            {
                if (problem.Severity == HealthSeverity.Unhealthy) ObservabilityLog.Unhealthy(logger, problem.Code, problem.Message);
                else ObservabilityLog.HealthWarning(logger, problem.Code, problem.Message);
            }
            foreach (var cleared in _open.Where(c => !now.Contains(c)))
                ObservabilityLog.ProblemCleared(logger, cleared);
            _open = now;
        }
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Dispatch;

/// <summary>One pass a second over the open dispatches: re-sends, failures, re-allocation, window end (see <see cref="DispatchService"/>).</summary>
internal sealed class DispatchMonitor(DispatchService dispatch, TimeProvider time, ILogger<DispatchMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try { await dispatch.RunPassAsync(stoppingToken).ConfigureAwait(false); }
                catch (Exception ex) when (ex is not OperationCanceledException) { DispatchLog.PassFailed(logger, ex); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}

using Microsoft.Extensions.Hosting;

namespace Nexwatt.Collector.Dispatch;

/// <summary>Runs the dispatch service's acknowledgement writer loop (group commit) for the life of the host.</summary>
internal sealed class DispatchAckWriter(DispatchService dispatch) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => dispatch.RunAckWriterAsync(stoppingToken);
}

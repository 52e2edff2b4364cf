using Microsoft.Extensions.Hosting;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Storage;

/// <summary>Creates or migrates the schema when the host starts, before ingest accepts anything.</summary>
internal sealed class CollectorStorageInitializer(ICollectorStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

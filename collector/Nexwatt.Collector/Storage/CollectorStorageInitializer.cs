using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Storage;

/// <summary>
/// Creates or migrates the schema when the host starts, before ingest accepts anything, and forgets latest values
/// dated more than a day ahead (the most <c>Collector:MaxSourceTimeAhead</c> allows): left by a device clock gone
/// wrong before such readings were flagged, they would pin an asset's latest value for good.
/// </summary>
internal sealed class CollectorStorageInitializer(ICollectorStore store, TimeProvider time, ILogger<CollectorStorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        var after = time.GetUtcNow().AddDays(1);
        if (await store.ForgetLatestAfterAsync(after, cancellationToken).ConfigureAwait(false) is > 0 and var forgotten)
            StorageLog.FutureLatestForgotten(logger, forgotten, after);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

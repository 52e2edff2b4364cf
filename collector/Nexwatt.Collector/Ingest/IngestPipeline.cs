using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Ingest;

/// <summary>What became of one batch.</summary>
public sealed record IngestResult(int Received, int Stored, int Duplicates, int Unattributed, int Gaps);

/// <summary>
/// One telemetry batch from a proven site: raw readings stored once per (site, sequence), gaps recorded, readings
/// of registered devices normalized into samples, and the touched intervals marked for recomputation. When this
/// returns, the batch is durable and may be acknowledged; aggregation follows within about a second.
/// </summary>
internal sealed class IngestPipeline(ICollectorStore store, DeviceAssetCache links, Normalizer normalizer, DirtyIntervals dirty, Dispatch.SiteActivity activity,
    TimeProvider time, ILogger<IngestPipeline> logger, Observability.CollectorMetrics? metrics = null)
{
    private readonly FirstTelemetry _first = new();

    /// <param name="transport">"grpc" or "mqtt", for the metrics.</param>
    public async Task<IngestResult> IngestAsync(string siteId, TelemetryBatch batch, CancellationToken cancellationToken, string transport = "grpc")
    {
        var started = time.GetTimestamp();
        if (TelemetryMapping.Problem(batch) is { } problem)
            throw new InvalidTelemetryException(problem);
        var received = time.GetUtcNow();
        activity.Seen(siteId); // a site that sends telemetry is online for dispatch
        var readings = batch.Readings.Select(r => TelemetryMapping.ToIngested(siteId, r, received, batch.Historical)).ToList();
        var stored = readings.Count == 0 ? 0 : await store.InsertReadingsAsync(readings, cancellationToken).ConfigureAwait(false);

        var gaps = batch.Gaps.Select(g => TelemetryMapping.ToGap(siteId, g)).ToList();
        if (gaps.Count > 0)
        {
            await store.InsertGapsAsync(gaps, cancellationToken).ConfigureAwait(false);
            await MarkGapsAsync(siteId, gaps, cancellationToken).ConfigureAwait(false);
        }

        var unattributed = 0;
        var samples = new List<NormalizedSample>();
        foreach (var device in readings.GroupBy(r => r.DeviceId, StringComparer.Ordinal))
        {
            var asset = await links.FindAsync(siteId, device.Key, cancellationToken).ConfigureAwait(false);
            if (asset is null)
            {
                // Kept raw; it becomes an asset's telemetry once the device is linked in the registry.
                unattributed += device.Count();
                continue;
            }
            samples.AddRange(normalizer.Normalize(device.ToList(), asset).Samples);
        }
        if (samples.Count > 0)
        {
            await store.InsertSamplesAsync(samples, cancellationToken).ConfigureAwait(false);
            foreach (var span in samples.GroupBy(s => (s.AssetId, s.Measurement)))
                dirty.Mark(span.Key.AssetId, span.Key.Measurement, span.Min(s => s.SourceTime), span.Max(s => s.SourceTime));
        }

        var result = new IngestResult(readings.Count, stored, readings.Count - stored, unattributed, gaps.Count);
        metrics?.BatchIngested(transport, result, time.GetElapsedTime(started));
        IngestLog.BatchIngested(logger, siteId, result.Received, result.Stored, result.Duplicates, result.Unattributed, result.Gaps, batch.Historical);
        if (_first.IsFirst(siteId)) IngestLog.FirstTelemetry(logger, siteId, result.Received, result.Stored);
        return result;
    }

    private async Task MarkGapsAsync(string siteId, IReadOnlyList<GapRecord> gaps, CancellationToken cancellationToken)
    {
        foreach (var gap in gaps)
            foreach (var deviceId in gap.DeviceIds)
                if (await links.FindAsync(siteId, deviceId, cancellationToken).ConfigureAwait(false) is { } asset)
                    foreach (var measurement in Enum.GetValues<Measurement>())
                        dirty.Mark(asset.AssetId, measurement, gap.From, gap.To);
    }
}

/// <summary>A batch the collector refuses for good: resending it unchanged cannot succeed.</summary>
public sealed class InvalidTelemetryException(string message) : Exception(message);

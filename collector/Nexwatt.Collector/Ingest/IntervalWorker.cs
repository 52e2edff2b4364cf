using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// Recomputes the intervals that ingest marked dirty, and closes the intervals of silent assets as Missing, so
/// that an asset that stopped reporting shows as missing data rather than as nothing at all.
/// </summary>
internal sealed class IntervalWorker(
    ICollectorStore store,
    IntervalAggregator aggregator,
    DirtyIntervals dirty,
    TimeProvider time,
    ILogger<IntervalWorker> logger,
    Observability.IntervalWorkerStatus? status = null) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    // How far back the first sweep after start looks for silent assets.
    private static readonly TimeSpan InitialLookback = TimeSpan.FromHours(1);
    private readonly Dictionary<string, DateTimeOffset> _sweptUntil = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sweepEvery = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Tick, time, stoppingToken).ConfigureAwait(false);
                var touchedStore = await RecomputeDirtyAsync(stoppingToken).ConfigureAwait(false);
                if (++sweepEvery % 10 == 0)
                {
                    await SweepSilentAssetsAsync(stoppingToken).ConfigureAwait(false);
                    touchedStore = true;
                }
                status?.RoundDone(touchedStore);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A store hiccup must not end aggregation for good; the next tick tries again.
                IngestLog.AggregationFailed(logger, ex);
                status?.RoundFailed(ex.Message);
            }
        }
    }

    /// <returns>Whether the store was used (there were dirty intervals).</returns>
    internal async Task<bool> RecomputeDirtyAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var touchedStore = false;
        foreach (var ((assetId, measurement), (from, to)) in dirty.TakeAll())
        {
            var asset = await store.GetAssetAsync(assetId, cancellationToken).ConfigureAwait(false);
            touchedStore = true;
            if (asset is null) continue;
            await RecomputeAsync(asset, measurement, from, to, now, cancellationToken).ConfigureAwait(false);
            // Intervals not closed yet (still filling, or open within the closing grace) stay dirty until they close,
            // so each is written once more with its final coverage and flags.
            var firstOpen = IntervalGrid.Floor(now - aggregator.ClosingGrace, asset.TelemetryInterval);
            if (to >= firstOpen) dirty.Mark(assetId, measurement, from > firstOpen ? from : firstOpen, to);
        }
        return touchedStore;
    }

    internal async Task SweepSilentAssetsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var asset in await store.ListAssetsAsync(null, includeRetired: false, cancellationToken).ConfigureAwait(false))
        {
            if (asset.SiteId is null || asset.DeviceId is null) continue;
            // Only closed intervals: the current one may still fill, and the ones in the closing grace may still get samples.
            var until = IntervalGrid.Floor(now - aggregator.ClosingGrace, asset.TelemetryInterval);
            var from = _sweptUntil.TryGetValue(asset.AssetId, out var swept) ? swept : IntervalGrid.Floor(now - InitialLookback, asset.TelemetryInterval);
            if (from < asset.RegisteredAt) from = IntervalGrid.Floor(asset.RegisteredAt, asset.TelemetryInterval);
            if (until <= from) continue;
            foreach (var measurement in MeasurementsOf(asset))
                await RecomputeAsync(asset, measurement, from, until - TimeSpan.FromTicks(1), now, cancellationToken).ConfigureAwait(false);
            _sweptUntil[asset.AssetId] = until;
        }
    }

    private async Task RecomputeAsync(AssetRecord asset, Measurement measurement, DateTimeOffset from, DateTimeOffset to, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = IntervalGrid.Floor(from, asset.TelemetryInterval);
        var end = IntervalGrid.Ceiling(to + TimeSpan.FromTicks(1), asset.TelemetryInterval);
        var samples = await store.GetSamplesAsync(asset.AssetId, measurement, start, end, cancellationToken).ConfigureAwait(false);
        var gaps = asset.SiteId is null ? [] : (await store.GetGapsAsync(asset.SiteId, start, end, cancellationToken).ConfigureAwait(false))
            .Where(g => asset.DeviceId is null || g.DeviceIds.Count == 0 || g.DeviceIds.Contains(asset.DeviceId)).ToList();
        var intervals = aggregator.Aggregate(new IntervalWindow(asset.AssetId, measurement, asset.TelemetryInterval, start, end, asset.DeviceId), samples, gaps, now);
        if (intervals.Count > 0) await store.UpsertIntervalsAsync(intervals, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The measurements a silent asset is expected to report, so only those are marked missing.</summary>
    private static IEnumerable<Measurement> MeasurementsOf(AssetRecord asset) => asset.Type switch
    {
        AssetType.Battery => [Measurement.ActivePowerW, Measurement.StateOfChargePct],
        AssetType.SolarPlusStorage => [Measurement.ActivePowerW, Measurement.StateOfChargePct],
        _ => [Measurement.ActivePowerW],
    };
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Bench.CollectorIngest;

/// <summary>The store calls the probe times; the rest of the interface is forwarded untimed.</summary>
internal enum StoreStage
{
    InsertReadings,
    FindAsset,
    InsertSamples,
    /// <summary>The interval worker: samples and gaps read back, intervals upserted, assets listed.</summary>
    Aggregation,
}

/// <summary>
/// What the bench sees of the collector's store without changing it: wall time spent in each kind of store call,
/// and the moment each batch's last write returned (keyed by site and batch index, computed from the readings'
/// sequences). That moment is "stored" for MQTT, which has no ack; its resolution is the Stopwatch's (sub-µs),
/// taken as the store call returns, so it includes no polling delay.
/// </summary>
internal sealed class StoreProbe(IReadOnlyDictionary<string, int> siteIndex, bool samplesAreLastWrite)
{
    private readonly long[] _ticks = new long[Enum.GetValues<StoreStage>().Length];
    private readonly long[] _calls = new long[Enum.GetValues<StoreStage>().Length];
    private readonly ConcurrentDictionary<long, long> _storedAt = new();
    private long _readingsInserted;
    private int _batchesStored;
    private int _target = int.MaxValue;
    private TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long ReadingsInserted => Interlocked.Read(ref _readingsInserted);

    public (long Calls, TimeSpan Total) Stage(StoreStage stage) =>
        (Interlocked.Read(ref _calls[(int)stage]), Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[(int)stage])));

    public void ResetStages()
    {
        Array.Clear(_ticks);
        Array.Clear(_calls);
    }

    /// <summary>Completes when <paramref name="batches"/> distinct batches are stored (counted since the collector started).</summary>
    public Task WhenStoredAsync(int batches)
    {
        _reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _target, batches);
        if (Volatile.Read(ref _batchesStored) >= batches) _reached.TrySetResult();
        return _reached.Task;
    }

    /// <summary>The Stopwatch timestamp at which the batch's last write returned, or null.</summary>
    public long? StoredAt(string siteId, int batch) => _storedAt.TryGetValue(Key(siteIndex[siteId], batch), out var at) ? at : null;

    internal void Record(StoreStage stage, long started)
    {
        Interlocked.Add(ref _ticks[(int)stage], Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _calls[(int)stage]);
    }

    internal void ReadingsStored(IReadOnlyList<IngestedReading> readings, int inserted)
    {
        Interlocked.Add(ref _readingsInserted, inserted);
        if (!samplesAreLastWrite && readings.Count > 0) BatchStored(readings[0].SiteId, readings[0].Sequence);
    }

    internal void SamplesStored(IReadOnlyList<NormalizedSample> samples)
    {
        if (samplesAreLastWrite && samples.Count > 0) BatchStored(samples[0].SiteId, samples.Min(s => s.Sequence));
    }

    private void BatchStored(string siteId, ulong sequence)
    {
        if (!siteIndex.TryGetValue(siteId, out var site)) return;
        // The first completion counts: a redelivered copy is stored (as duplicates) later.
        if (!_storedAt.TryAdd(Key(site, InverterPolls.BatchOf(sequence)), Stopwatch.GetTimestamp())) return;
        if (Interlocked.Increment(ref _batchesStored) >= Volatile.Read(ref _target)) _reached.TrySetResult();
    }

    private static long Key(int site, int batch) => (long)site << 32 | (uint)batch;
}

/// <summary>Forwards to the collector's own store, timing the calls of <see cref="StoreStage"/> for the probe.</summary>
internal sealed class ProbedCollectorStore(ICollectorStore inner, StoreProbe probe) : ICollectorStore
{
    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public async Task<int> InsertReadingsAsync(IReadOnlyList<IngestedReading> readings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var inserted = await inner.InsertReadingsAsync(readings, cancellationToken).ConfigureAwait(false);
        probe.Record(StoreStage.InsertReadings, started);
        probe.ReadingsStored(readings, inserted);
        return inserted;
    }

    public Task InsertGapsAsync(IReadOnlyList<GapRecord> gaps, CancellationToken cancellationToken) => inner.InsertGapsAsync(gaps, cancellationToken);

    public Task<IReadOnlyList<GapRecord>> GetGapsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        TimeAsync(StoreStage.Aggregation, () => inner.GetGapsAsync(siteId, from, to, cancellationToken));

    public async Task InsertSamplesAsync(IReadOnlyList<NormalizedSample> samples, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await inner.InsertSamplesAsync(samples, cancellationToken).ConfigureAwait(false);
        probe.Record(StoreStage.InsertSamples, started);
        probe.SamplesStored(samples);
    }

    public Task<IReadOnlyList<NormalizedSample>> GetSamplesAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        TimeAsync(StoreStage.Aggregation, () => inner.GetSamplesAsync(assetId, measurement, from, to, cancellationToken));

    public async Task UpsertIntervalsAsync(IReadOnlyList<IntervalRecord> intervals, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await inner.UpsertIntervalsAsync(intervals, cancellationToken).ConfigureAwait(false);
        probe.Record(StoreStage.Aggregation, started);
    }

    public Task<IReadOnlyList<IntervalRecord>> GetIntervalsAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        inner.GetIntervalsAsync(assetId, measurement, from, to, cancellationToken);

    public Task<IReadOnlyList<LatestValue>> GetLatestAsync(string assetId, CancellationToken cancellationToken) => inner.GetLatestAsync(assetId, cancellationToken);
    public Task<int> ForgetLatestAfterAsync(DateTimeOffset after, CancellationToken cancellationToken) => inner.ForgetLatestAfterAsync(after, cancellationToken);

    public Task UpsertAssetAsync(AssetRecord asset, CancellationToken cancellationToken) => inner.UpsertAssetAsync(asset, cancellationToken);

    public Task<AssetRecord?> GetAssetAsync(string assetId, CancellationToken cancellationToken) =>
        TimeAsync(StoreStage.Aggregation, () => inner.GetAssetAsync(assetId, cancellationToken));

    public Task<AssetRecord?> FindAssetByDeviceAsync(string siteId, string deviceId, CancellationToken cancellationToken) =>
        TimeAsync(StoreStage.FindAsset, () => inner.FindAssetByDeviceAsync(siteId, deviceId, cancellationToken));

    public Task<IReadOnlyList<AssetRecord>> ListAssetsAsync(string? isoZone, bool includeRetired, CancellationToken cancellationToken) =>
        TimeAsync(StoreStage.Aggregation, () => inner.ListAssetsAsync(isoZone, includeRetired, cancellationToken));

    public Task UpsertSiteAsync(SiteRecord site, CancellationToken cancellationToken) => inner.UpsertSiteAsync(site, cancellationToken);

    public Task<SiteRecord?> GetSiteAsync(string siteId, CancellationToken cancellationToken) => inner.GetSiteAsync(siteId, cancellationToken);

    public Task<SiteRecord?> FindSiteByTokenAsync(string tokenSha256, CancellationToken cancellationToken) => inner.FindSiteByTokenAsync(tokenSha256, cancellationToken);

    public Task<IReadOnlyList<ZoneTotals>> GetFleetTotalsAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.GetFleetTotalsAsync(now, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task<T> TimeAsync<T>(StoreStage stage, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await call().ConfigureAwait(false);
        probe.Record(stage, started);
        return result;
    }
}

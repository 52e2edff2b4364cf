using System.Collections.Concurrent;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests.Registry;

/// <summary>An <see cref="ICollectorStore"/> whose asset and site members work in memory; the rest is not needed here.</summary>
internal sealed class InMemoryAssetStore : ICollectorStore
{
    private readonly ConcurrentDictionary<string, AssetRecord> _assets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SiteRecord> _sites = new(StringComparer.Ordinal);

    private int _deviceLookups;

    public int AssetWrites { get; private set; }

    /// <summary>How many times <see cref="FindAssetByDeviceAsync"/> was called.</summary>
    public int DeviceLookups => Volatile.Read(ref _deviceLookups);

    /// <summary>When set, a device lookup reads its answer, then waits for this task before returning it (a slow query).</summary>
    public Task? DeviceLookupGate { get; set; }

    public IReadOnlyCollection<AssetRecord> Assets => _assets.Values.ToList();

    public void AddSite(string siteId) => _sites[siteId] = new SiteRecord(siteId, null, null, DateTimeOffset.UnixEpoch);

    public Task UpsertAssetAsync(AssetRecord asset, CancellationToken cancellationToken)
    {
        AssetWrites++;
        _assets[asset.AssetId] = asset;
        return Task.CompletedTask;
    }

    public Task<AssetRecord?> GetAssetAsync(string assetId, CancellationToken cancellationToken) =>
        Task.FromResult(_assets.GetValueOrDefault(assetId));

    public async Task<AssetRecord?> FindAssetByDeviceAsync(string siteId, string deviceId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _deviceLookups);
        var asset = _assets.Values.FirstOrDefault(a => a.Status == AssetStatus.Active && a.SiteId == siteId && a.DeviceId == deviceId);
        if (DeviceLookupGate is { } gate) await gate.WaitAsync(cancellationToken);
        return asset;
    }

    public Task<IReadOnlyList<AssetRecord>> ListAssetsAsync(string? isoZone, bool includeRetired, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AssetRecord>>(_assets.Values
            .Where(a => (isoZone is null || a.IsoZone == isoZone) && (includeRetired || a.Status == AssetStatus.Active)).ToList());

    public Task UpsertSiteAsync(SiteRecord site, CancellationToken cancellationToken)
    {
        _sites[site.SiteId] = site;
        return Task.CompletedTask;
    }

    public Task<SiteRecord?> GetSiteAsync(string siteId, CancellationToken cancellationToken) => Task.FromResult(_sites.GetValueOrDefault(siteId));

    public Task<SiteRecord?> FindSiteByTokenAsync(string tokenSha256, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task<int> InsertReadingsAsync(IReadOnlyList<IngestedReading> readings, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task InsertGapsAsync(IReadOnlyList<GapRecord> gaps, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<GapRecord>> GetGapsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task InsertSamplesAsync(IReadOnlyList<NormalizedSample> samples, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<NormalizedSample>> GetSamplesAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task UpsertIntervalsAsync(IReadOnlyList<IntervalRecord> intervals, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<IntervalRecord>> GetIntervalsAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<LatestValue>> GetLatestAsync(string assetId, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<int> ForgetLatestAfterAsync(DateTimeOffset after, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<ZoneTotals>> GetFleetTotalsAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

namespace Nexwatt.Collector.Domain;

/// <summary>
/// The collector's storage: embedded SQLite by default, PostgreSQL when a connection string is given. Both pass
/// the same test suite. Every method is safe to call concurrently.
/// </summary>
public interface ICollectorStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the schema.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores raw readings; a (site, sequence) already stored is skipped. Returns the number newly stored.
    /// </summary>
    Task<int> InsertReadingsAsync(IReadOnlyList<IngestedReading> readings, CancellationToken cancellationToken);

    Task InsertGapsAsync(IReadOnlyList<GapRecord> gaps, CancellationToken cancellationToken);

    Task<IReadOnlyList<GapRecord>> GetGapsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Stores normalized samples (the input of interval aggregation); the same (site, sequence) is stored once.</summary>
    Task InsertSamplesAsync(IReadOnlyList<NormalizedSample> samples, CancellationToken cancellationToken);

    Task<IReadOnlyList<NormalizedSample>> GetSamplesAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces intervals (keyed by asset, measurement and start): late data recomputes an interval.</summary>
    Task UpsertIntervalsAsync(IReadOnlyList<IntervalRecord> intervals, CancellationToken cancellationToken);

    Task<IReadOnlyList<IntervalRecord>> GetIntervalsAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    Task<IReadOnlyList<LatestValue>> GetLatestAsync(string assetId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes latest values dated after <paramref name="after"/> (set by a clock gone wrong before such samples were
    /// flagged future), so the asset's next sample sets them again; returns how many.
    /// </summary>
    Task<int> ForgetLatestAfterAsync(DateTimeOffset after, CancellationToken cancellationToken);

    Task UpsertAssetAsync(AssetRecord asset, CancellationToken cancellationToken);

    Task<AssetRecord?> GetAssetAsync(string assetId, CancellationToken cancellationToken);

    /// <summary>The asset that a site's device reports for, if one is registered and active.</summary>
    Task<AssetRecord?> FindAssetByDeviceAsync(string siteId, string deviceId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AssetRecord>> ListAssetsAsync(string? isoZone, bool includeRetired, CancellationToken cancellationToken);

    Task UpsertSiteAsync(SiteRecord site, CancellationToken cancellationToken);

    Task<SiteRecord?> GetSiteAsync(string siteId, CancellationToken cancellationToken);

    Task<SiteRecord?> FindSiteByTokenAsync(string tokenSha256, CancellationToken cancellationToken);

    Task<IReadOnlyList<ZoneTotals>> GetFleetTotalsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

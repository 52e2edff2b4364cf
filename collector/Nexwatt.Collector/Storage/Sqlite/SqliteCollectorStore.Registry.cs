using Nexwatt.Collector.Domain;
using Nexwatt.Data.Sqlite;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Sqlite;

// Assets, sites and fleet totals.
public sealed partial class SqliteCollectorStore
{
    private const string AssetColumns = """
        asset_id, type, inverter, capacity_kw, storage_kwh, meter_id, iso_zone, telemetry_interval_us, site_id, device_id,
        status, registered_at, updated_at, program
        """;

    private const string SiteColumns = "site_id, token_sha256, certificate_subject, created_at";

    public Task UpsertAssetAsync(AssetRecord asset, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var upsert = db.Prepare($"""
                INSERT INTO assets ({AssetColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                ON CONFLICT (asset_id) DO UPDATE SET type = excluded.type, inverter = excluded.inverter, capacity_kw = excluded.capacity_kw,
                    storage_kwh = excluded.storage_kwh, meter_id = excluded.meter_id, iso_zone = excluded.iso_zone,
                    telemetry_interval_us = excluded.telemetry_interval_us, site_id = excluded.site_id, device_id = excluded.device_id,
                    status = excluded.status, registered_at = excluded.registered_at, updated_at = excluded.updated_at,
                    program = excluded.program
                """);
            upsert.Bind(1, asset.AssetId).Bind(2, ToText(asset.Type)).BindOrNull(3, asset.Inverter).Bind(4, asset.CapacityKw)
                .BindOrNull(5, asset.StorageKwh).BindOrNull(6, asset.MeterId).Bind(7, asset.IsoZone).Bind(8, ToMicroseconds(asset.TelemetryInterval))
                .BindOrNull(9, asset.SiteId).BindOrNull(10, asset.DeviceId).Bind(11, ToText(asset.Status))
                .Bind(12, ToMicroseconds(asset.RegisteredAt)).Bind(13, ToMicroseconds(asset.UpdatedAt)).Bind(14, asset.Program).Run();
            return true;
        }, cancellationToken);

    public Task<AssetRecord?> GetAssetAsync(string assetId, CancellationToken cancellationToken) =>
        ReadAsync(db =>
        {
            using var query = db.Prepare($"SELECT {AssetColumns} FROM assets WHERE asset_id = ?1");
            query.Bind(1, assetId);
            return query.Step() ? ReadAsset(query) : null;
        }, cancellationToken);

    public Task<AssetRecord?> FindAssetByDeviceAsync(string siteId, string deviceId, CancellationToken cancellationToken) =>
        ReadAsync(db =>
        {
            using var query = db.Prepare($"""
                SELECT {AssetColumns} FROM assets WHERE site_id = ?1 AND device_id = ?2 AND status = ?3
                ORDER BY updated_at DESC, asset_id LIMIT 1
                """);
            query.Bind(1, siteId).Bind(2, deviceId).Bind(3, ToText(AssetStatus.Active));
            return query.Step() ? ReadAsset(query) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<AssetRecord>> ListAssetsAsync(string? isoZone, bool includeRetired, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<AssetRecord>>(db =>
        {
            using var query = db.Prepare($"""
                SELECT {AssetColumns} FROM assets WHERE (?1 IS NULL OR iso_zone = ?1) AND (?2 = 1 OR status = ?3) ORDER BY asset_id
                """);
            query.BindOrNull(1, isoZone).Bind(2, includeRetired ? 1L : 0L).Bind(3, ToText(AssetStatus.Active));
            var assets = new List<AssetRecord>();
            while (query.Step()) assets.Add(ReadAsset(query));
            return assets;
        }, cancellationToken);

    public Task UpsertSiteAsync(SiteRecord site, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var upsert = db.Prepare($"""
                INSERT INTO sites ({SiteColumns}) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (site_id) DO UPDATE SET token_sha256 = excluded.token_sha256,
                    certificate_subject = excluded.certificate_subject, created_at = excluded.created_at
                """);
            upsert.Bind(1, site.SiteId).BindOrNull(2, site.TokenSha256).BindOrNull(3, site.CertificateSubject)
                .Bind(4, ToMicroseconds(site.CreatedAt)).Run();
            return true;
        }, cancellationToken);

    public Task<SiteRecord?> GetSiteAsync(string siteId, CancellationToken cancellationToken) =>
        ReadAsync(db =>
        {
            using var query = db.Prepare($"SELECT {SiteColumns} FROM sites WHERE site_id = ?1");
            query.Bind(1, siteId);
            return query.Step() ? ReadSite(query) : null;
        }, cancellationToken);

    public Task<SiteRecord?> FindSiteByTokenAsync(string tokenSha256, CancellationToken cancellationToken) =>
        ReadAsync(db =>
        {
            using var query = db.Prepare($"SELECT {SiteColumns} FROM sites WHERE token_sha256 = ?1");
            query.Bind(1, tokenSha256);
            return query.Step() ? ReadSite(query) : null;
        }, cancellationToken);

    public async Task<IReadOnlyList<ZoneTotals>> GetFleetTotalsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(db =>
        {
            using var query = db.Prepare("""
                SELECT a.iso_zone, a.type, a.storage_kwh, a.telemetry_interval_us, p.value, p.source_time, s.value, s.source_time
                FROM assets a
                LEFT JOIN latest p ON p.asset_id = a.asset_id AND p.measurement = ?1
                LEFT JOIN latest s ON s.asset_id = a.asset_id AND s.measurement = ?2
                WHERE a.status = ?3
                """);
            query.Bind(1, ToCode(Measurement.ActivePowerW)).Bind(2, ToCode(Measurement.StateOfChargePct)).Bind(3, ToText(AssetStatus.Active));
            var assets = new List<FleetAssetRow>();
            while (query.Step())
            {
                assets.Add(new FleetAssetRow(query.Text(0) ?? "", AssetTypeFromText(query.Text(1) ?? ""), query.DoubleOrNull(2),
                    SpanFromMicroseconds(query.Int64(3)), query.DoubleOrNull(4), query.IsNull(5) ? null : FromMicroseconds(query.Int64(5)),
                    query.DoubleOrNull(6), query.IsNull(7) ? null : FromMicroseconds(query.Int64(7))));
            }
            return assets;
        }, cancellationToken).ConfigureAwait(false);
        return FleetTotalsCalculator.Compute(rows, now);
    }

    private static AssetRecord ReadAsset(SqliteStatement row) => new(
        row.Text(0) ?? "", AssetTypeFromText(row.Text(1) ?? ""), row.Text(2), row.Double(3), row.DoubleOrNull(4), row.Text(5),
        row.Text(6) ?? "", SpanFromMicroseconds(row.Int64(7)), row.Text(8), row.Text(9), AssetStatusFromText(row.Text(10) ?? ""),
        FromMicroseconds(row.Int64(11)), FromMicroseconds(row.Int64(12))) { Program = row.Text(13) ?? AssetRecord.DefaultProgram };

    private static SiteRecord ReadSite(SqliteStatement row) =>
        new(row.Text(0) ?? "", row.Text(1), row.Text(2), FromMicroseconds(row.Int64(3)));
}

using Nexwatt.Collector.Domain;
using Npgsql;
using NpgsqlTypes;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Postgres;

// Assets, sites and fleet totals.
public sealed partial class PostgresCollectorStore
{
    private const string AssetColumns = """
        asset_id, type, inverter, capacity_kw, storage_kwh, meter_id, iso_zone, telemetry_interval_us, site_id, device_id,
        status, registered_at, updated_at, program
        """;

    private const string SiteColumns = "site_id, token_sha256, certificate_subject, created_at";

    public Task UpsertAssetAsync(AssetRecord asset, CancellationToken cancellationToken) =>
        ExecuteAsync($"""
            INSERT INTO assets ({AssetColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            ON CONFLICT (asset_id) DO UPDATE SET type = excluded.type, inverter = excluded.inverter, capacity_kw = excluded.capacity_kw,
                storage_kwh = excluded.storage_kwh, meter_id = excluded.meter_id, iso_zone = excluded.iso_zone,
                telemetry_interval_us = excluded.telemetry_interval_us, site_id = excluded.site_id, device_id = excluded.device_id,
                status = excluded.status, registered_at = excluded.registered_at, updated_at = excluded.updated_at,
                    program = excluded.program
            """,
            [
                Parameter(asset.AssetId), Parameter(ToText(asset.Type)), Nullable(asset.Inverter, NpgsqlDbType.Text), Parameter(asset.CapacityKw),
                Nullable(asset.StorageKwh, NpgsqlDbType.Double), Nullable(asset.MeterId, NpgsqlDbType.Text), Parameter(asset.IsoZone),
                Parameter(ToMicroseconds(asset.TelemetryInterval)), Nullable(asset.SiteId, NpgsqlDbType.Text), Nullable(asset.DeviceId, NpgsqlDbType.Text),
                Parameter(ToText(asset.Status)), Parameter(ToMicroseconds(asset.RegisteredAt)), Parameter(ToMicroseconds(asset.UpdatedAt)), Parameter(asset.Program),
            ],
            cancellationToken);

    public async Task<AssetRecord?> GetAssetAsync(string assetId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {AssetColumns} FROM assets WHERE asset_id = $1", [Parameter(assetId)], ReadAsset, cancellationToken)
            .ConfigureAwait(false)).FirstOrDefault();

    public async Task<AssetRecord?> FindAssetByDeviceAsync(string siteId, string deviceId, CancellationToken cancellationToken) =>
        (await QueryAsync($"""
            SELECT {AssetColumns} FROM assets WHERE site_id = $1 AND device_id = $2 AND status = $3
            ORDER BY updated_at DESC, asset_id LIMIT 1
            """,
            [Parameter(siteId), Parameter(deviceId), Parameter(ToText(AssetStatus.Active))], ReadAsset, cancellationToken)
            .ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<AssetRecord>> ListAssetsAsync(string? isoZone, bool includeRetired, CancellationToken cancellationToken) =>
        QueryAsync($"""
            SELECT {AssetColumns} FROM assets WHERE ($1::text IS NULL OR iso_zone = $1) AND ($2 OR status = $3) ORDER BY asset_id
            """,
            [Nullable(isoZone, NpgsqlDbType.Text), Parameter(includeRetired), Parameter(ToText(AssetStatus.Active))], ReadAsset, cancellationToken);

    public Task UpsertSiteAsync(SiteRecord site, CancellationToken cancellationToken) =>
        ExecuteAsync($"""
            INSERT INTO sites ({SiteColumns}) VALUES ($1, $2, $3, $4)
            ON CONFLICT (site_id) DO UPDATE SET token_sha256 = excluded.token_sha256,
                certificate_subject = excluded.certificate_subject, created_at = excluded.created_at
            """,
            [Parameter(site.SiteId), Nullable(site.TokenSha256, NpgsqlDbType.Text), Nullable(site.CertificateSubject, NpgsqlDbType.Text), Parameter(ToMicroseconds(site.CreatedAt))],
            cancellationToken);

    public async Task<SiteRecord?> GetSiteAsync(string siteId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {SiteColumns} FROM sites WHERE site_id = $1", [Parameter(siteId)], ReadSite, cancellationToken)
            .ConfigureAwait(false)).FirstOrDefault();

    public async Task<SiteRecord?> FindSiteByTokenAsync(string tokenSha256, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {SiteColumns} FROM sites WHERE token_sha256 = $1", [Parameter(tokenSha256)], ReadSite, cancellationToken)
            .ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<ZoneTotals>> GetFleetTotalsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("""
            SELECT a.iso_zone, a.type, a.storage_kwh, a.telemetry_interval_us, p.value, p.source_time, s.value, s.source_time
            FROM assets a
            LEFT JOIN latest p ON p.asset_id = a.asset_id AND p.measurement = $1
            LEFT JOIN latest s ON s.asset_id = a.asset_id AND s.measurement = $2
            WHERE a.status = $3
            """,
            [Parameter(ToCode(Measurement.ActivePowerW)), Parameter(ToCode(Measurement.StateOfChargePct)), Parameter(ToText(AssetStatus.Active))],
            row => new FleetAssetRow(row.GetString(0), AssetTypeFromText(row.GetString(1)), DoubleOrNull(row, 2),
                SpanFromMicroseconds(row.GetInt64(3)), DoubleOrNull(row, 4), row.IsDBNull(5) ? null : FromMicroseconds(row.GetInt64(5)),
                DoubleOrNull(row, 6), row.IsDBNull(7) ? null : FromMicroseconds(row.GetInt64(7))),
            cancellationToken).ConfigureAwait(false);
        return FleetTotalsCalculator.Compute(rows, now);
    }

    private static AssetRecord ReadAsset(NpgsqlDataReader row) => new(
        row.GetString(0), AssetTypeFromText(row.GetString(1)), TextOrNull(row, 2), row.GetDouble(3), DoubleOrNull(row, 4), TextOrNull(row, 5),
        row.GetString(6), SpanFromMicroseconds(row.GetInt64(7)), TextOrNull(row, 8), TextOrNull(row, 9), AssetStatusFromText(row.GetString(10)),
        FromMicroseconds(row.GetInt64(11)), FromMicroseconds(row.GetInt64(12))) { Program = row.GetString(13) };

    private static SiteRecord ReadSite(NpgsqlDataReader row) =>
        new(row.GetString(0), TextOrNull(row, 1), TextOrNull(row, 2), FromMicroseconds(row.GetInt64(3)));

    private static string? TextOrNull(NpgsqlDataReader row, int column) => row.IsDBNull(column) ? null : row.GetString(column);
}

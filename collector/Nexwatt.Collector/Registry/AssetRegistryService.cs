using System.Text.Json;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Ingest;

namespace Nexwatt.Collector.Registry;

/// <summary>
/// The asset registry: register (an idempotent upsert by asset id), read, update, retire and link assets, and
/// export enrollment per ISO zone. Compliance with the zone's rules is computed on every read, so a change of
/// rules or of a link shows at once. Invalid input is rejected; compliance gaps are reported, never rejected.
/// </summary>
public sealed class AssetRegistryService
{
    private readonly ICollectorStore _store;
    private readonly DeviceAssetCache _links;
    private readonly TimeProvider _time;
    private readonly ILogger<AssetRegistryService> _logger;

    /// <summary>Creates the service over the collector's store; every change of an asset invalidates <paramref name="links"/>.</summary>
    public AssetRegistryService(ICollectorStore store, DeviceAssetCache links, TimeProvider time, ILogger<AssetRegistryService> logger)
    {
        _store = store;
        _links = links;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Registers or re-registers an asset. The same request twice leaves the record unchanged; re-registering a
    /// retired asset makes it active again. Links to a site and device are kept.
    /// </summary>
    public async Task<RegistryOutcome<AssetRegistrationResponse>> RegisterAsync(AssetRegistrationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var problems = new List<RegistrationProblem>();
        if (AssetRegistrationValidator.Validate(request, problems) is not { } valid)
        {
            Log.Rejected(_logger, request.AssetId, string.Join("; ", problems.Select(p => p.Message)));
            return new(RegistryStatus.Invalid, new AssetRegistrationResponse(AssetRegistrationResponse.Rejected, request.AssetId, false, false, problems), problems);
        }

        var existing = await _store.GetAssetAsync(valid.AssetId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var record = new AssetRecord(valid.AssetId, valid.Type, valid.Inverter, valid.CapacityKw, valid.StorageKwh, valid.MeterId,
            valid.IsoZone, valid.TelemetryInterval, existing?.SiteId, existing?.DeviceId, AssetStatus.Active,
            existing?.RegisteredAt ?? now, now)
        {
            Program = request.Program is { Length: > 0 } program ? program : existing?.Program ?? AssetRecord.DefaultProgram,
        };
        await SaveIfChangedAsync(existing, record, cancellationToken).ConfigureAwait(false);

        var report = IsoComplianceChecker.Check(record);
        Log.Registered(_logger, record.AssetId, record.IsoZone, existing is null, report.IsoCompliant, report.TelemetryValidated);
        var response = new AssetRegistrationResponse(AssetRegistrationResponse.Registered, record.AssetId, report.TelemetryValidated, report.IsoCompliant, report.Problems);
        return new(existing is null ? RegistryStatus.Created : RegistryStatus.Ok, response, report.Problems);
    }

    /// <summary>The asset with its compliance, or null when no asset has that id.</summary>
    public async Task<AssetView?> GetAsync(string assetId, CancellationToken cancellationToken)
    {
        if (!AssetRegistrationValidator.IsValidId(assetId)) return null;
        var asset = await _store.GetAssetAsync(assetId, cancellationToken).ConfigureAwait(false);
        return asset is null ? null : View(asset);
    }

    /// <summary>Changes the fields given; the result is validated like a registration. A retired asset cannot be updated.</summary>
    public async Task<RegistryOutcome<AssetView>> UpdateAsync(string assetId, AssetUpdateRequest patch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var (existing, failure) = await ActiveAssetAsync(assetId, "updated", cancellationToken).ConfigureAwait(false);
        if (existing is null) return failure!;

        var merged = new AssetRegistrationRequest(
            existing.AssetId,
            patch.Type ?? AssetTypeNames.Name(existing.Type),
            patch.Inverter ?? existing.Inverter,
            patch.CapacityKw ?? existing.CapacityKw,
            patch.StorageKwh ?? existing.StorageKwh,
            patch.MeterId ?? existing.MeterId,
            patch.IsoZone ?? existing.IsoZone,
            patch.TelemetryInterval ?? JsonSerializer.SerializeToElement(existing.TelemetryInterval.TotalSeconds),
            patch.Program ?? existing.Program);
        var problems = new List<RegistrationProblem>();
        if (AssetRegistrationValidator.Validate(merged, problems) is not { } valid) return new(RegistryStatus.Invalid, null, problems);

        var record = existing with
        {
            Type = valid.Type,
            Inverter = valid.Inverter,
            CapacityKw = valid.CapacityKw,
            StorageKwh = valid.StorageKwh,
            MeterId = valid.MeterId,
            IsoZone = valid.IsoZone,
            TelemetryInterval = valid.TelemetryInterval,
            Program = merged.Program ?? existing.Program,
            UpdatedAt = _time.GetUtcNow(),
        };
        if (await SaveIfChangedAsync(existing, record, cancellationToken).ConfigureAwait(false)) Log.Updated(_logger, assetId);
        return Ok(record);
    }

    /// <summary>Marks the asset retired: it stays in the registry (and its history in storage) but leaves enrollment and ingest.</summary>
    public async Task<RegistryOutcome<AssetView>> RetireAsync(string assetId, CancellationToken cancellationToken)
    {
        var existing = AssetRegistrationValidator.IsValidId(assetId) ? await _store.GetAssetAsync(assetId, cancellationToken).ConfigureAwait(false) : null;
        if (existing is null) return NotFound(assetId);
        if (existing.Status == AssetStatus.Retired) return Ok(existing);

        var record = existing with { Status = AssetStatus.Retired, UpdatedAt = _time.GetUtcNow() };
        await SaveAsync(record, cancellationToken).ConfigureAwait(false);
        Log.Retired(_logger, assetId);
        return Ok(record);
    }

    /// <summary>
    /// Links the asset to the site and device whose telemetry describes it. The site must be registered, and a
    /// device reports for one active asset only (ingest finds the asset by site and device).
    /// </summary>
    public async Task<RegistryOutcome<AssetView>> LinkAsync(string assetId, AssetLinkRequest link, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        var problems = new List<RegistrationProblem>();
        foreach (var (value, field) in new[] { (link.SiteId, "site_id"), (link.DeviceId, "device_id") })
        {
            if (!AssetRegistrationValidator.IsValidId(value))
                problems.Add(RegistrationProblem.Invalid(field, $"{field} is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."));
        }
        if (problems.Count > 0) return new(RegistryStatus.Invalid, null, problems);
        var (siteId, deviceId) = (link.SiteId!, link.DeviceId!);

        var (existing, failure) = await ActiveAssetAsync(assetId, "linked", cancellationToken).ConfigureAwait(false);
        if (existing is null) return failure!;
        if (await _store.GetSiteAsync(siteId, cancellationToken).ConfigureAwait(false) is null)
        {
            return RegistryOutcome<AssetView>.Fail(RegistryStatus.Invalid,
                new RegistrationProblem(RegistrationProblem.Error, "unknown_site", "site_id", $"site_id '{siteId}' is not a registered site."));
        }
        var holder = await _store.FindAssetByDeviceAsync(siteId, deviceId, cancellationToken).ConfigureAwait(false);
        if (holder is not null && holder.AssetId != assetId)
        {
            return RegistryOutcome<AssetView>.Fail(RegistryStatus.Conflict,
                new RegistrationProblem(RegistrationProblem.Error, "device_taken", "device_id",
                    $"Device '{deviceId}' of site '{siteId}' already reports for asset '{holder.AssetId}'; retire or relink that asset first."));
        }

        var record = existing with { SiteId = siteId, DeviceId = deviceId, UpdatedAt = _time.GetUtcNow() };
        if (await SaveIfChangedAsync(existing, record, cancellationToken).ConfigureAwait(false)) Log.Linked(_logger, assetId, siteId, deviceId);
        return Ok(record);
    }

    /// <summary>
    /// Assets of a zone, ordered by id: a bare ISO (<c>PJM</c>) lists all its sub-zones, a sub-zone (<c>PJM-DOM</c>)
    /// only itself; null lists every zone.
    /// </summary>
    public async Task<RegistryOutcome<IReadOnlyList<AssetView>>> ListAsync(string? isoZone, bool includeRetired, CancellationToken cancellationToken)
    {
        IsoZone? zone = null;
        if (!string.IsNullOrWhiteSpace(isoZone) && !IsoZone.TryParse(isoZone, out zone))
            return RegistryOutcome<IReadOnlyList<AssetView>>.Fail(RegistryStatus.Invalid, IsoComplianceChecker.UnknownZone(isoZone));
        var assets = await InZoneAsync(zone, includeRetired, cancellationToken).ConfigureAwait(false);
        return new(RegistryStatus.Ok, assets.Select(View).ToList(), []);
    }

    /// <summary>The enrollment CSV of a zone's active assets (see <see cref="EnrollmentCsv"/> for the columns).</summary>
    public async Task<RegistryOutcome<string>> EnrollmentCsvAsync(string isoZone, CancellationToken cancellationToken)
    {
        if (!IsoZone.TryParse(isoZone, out var zone))
            return RegistryOutcome<string>.Fail(RegistryStatus.Invalid, IsoComplianceChecker.UnknownZone(isoZone));
        var assets = await InZoneAsync(zone, includeRetired: false, cancellationToken).ConfigureAwait(false);
        return new(RegistryStatus.Ok, EnrollmentCsv.Write(assets), []);
    }

    /// <summary>The API view of a record, with its compliance.</summary>
    public static AssetView View(AssetRecord asset)
    {
        ArgumentNullException.ThrowIfNull(asset);
        var report = IsoComplianceChecker.Check(asset);
        return new AssetView(asset.AssetId, AssetTypeNames.Name(asset.Type), asset.Inverter, asset.CapacityKw, asset.StorageKwh,
            asset.MeterId, asset.IsoZone, asset.TelemetryInterval.TotalSeconds, asset.SiteId, asset.DeviceId,
            AssetTypeNames.Name(asset.Status), asset.RegisteredAt, asset.UpdatedAt, report.TelemetryValidated, report.IsoCompliant, report.Problems)
        {
            Program = asset.Program,
        };
    }

    // The store filters zones by exact string; a bare ISO must also match its sub-zones, so filter here.
    private async Task<IReadOnlyList<AssetRecord>> InZoneAsync(IsoZone? zone, bool includeRetired, CancellationToken cancellationToken)
    {
        var all = await _store.ListAssetsAsync(null, includeRetired, cancellationToken).ConfigureAwait(false);
        return all
            .Where(a => includeRetired || a.Status == AssetStatus.Active)
            .Where(a => zone is null || (IsoZone.TryParse(a.IsoZone, out var own) && zone.Contains(own)))
            .OrderBy(a => a.AssetId, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<(AssetRecord? Asset, RegistryOutcome<AssetView>? Failure)> ActiveAssetAsync(string assetId, string verb, CancellationToken cancellationToken)
    {
        var existing = AssetRegistrationValidator.IsValidId(assetId) ? await _store.GetAssetAsync(assetId, cancellationToken).ConfigureAwait(false) : null;
        if (existing is null) return (null, NotFound(assetId));
        if (existing.Status == AssetStatus.Retired)
        {
            return (null, RegistryOutcome<AssetView>.Fail(RegistryStatus.Conflict, new RegistrationProblem(RegistrationProblem.Error, "retired", null,
                $"Asset '{assetId}' is retired and cannot be {verb}; register it again to make it active.")));
        }
        return (existing, null);
    }

    // Idempotence: an unchanged record is not written, so its UpdatedAt stays put.
    private async Task<bool> SaveIfChangedAsync(AssetRecord? existing, AssetRecord record, CancellationToken cancellationToken)
    {
        if (existing is not null && record with { UpdatedAt = existing.UpdatedAt } == existing) return false;
        await SaveAsync(record, cancellationToken).ConfigureAwait(false);
        return true;
    }

    // Ingest's cached links must not outlive the change: a retired asset would keep receiving samples, a new link would
    // wait for the cache to expire. Invalidated even when the write fails: it may have committed before the failure.
    private async Task SaveAsync(AssetRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await _store.UpsertAssetAsync(record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _links.Invalidate();
        }
    }

    private static RegistryOutcome<AssetView> Ok(AssetRecord record) => new(RegistryStatus.Ok, View(record), []);

    private static RegistryOutcome<AssetView> NotFound(string assetId) =>
        RegistryOutcome<AssetView>.Fail(RegistryStatus.NotFound, new RegistrationProblem(RegistrationProblem.Error, "not_found", "asset_id", $"No asset '{assetId}'."));
}

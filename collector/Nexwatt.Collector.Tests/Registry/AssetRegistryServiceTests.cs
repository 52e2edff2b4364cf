using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Ingest;
using Nexwatt.Collector.Registry;
using Nexwatt.Testing;
using static Nexwatt.Collector.Tests.Registry.AssetRegistrationValidatorTests;

namespace Nexwatt.Collector.Tests.Registry;

public class AssetRegistryServiceTests
{
    private readonly InMemoryAssetStore _store = new();
    private readonly FakeTimeProvider _time = new();
    private readonly DeviceAssetCache _links;
    private readonly AssetRegistryService _registry;
    private readonly CancellationToken _ct = CancellationToken.None;

    public AssetRegistryServiceTests()
    {
        _links = new DeviceAssetCache(_store, _time, TimeSpan.FromSeconds(10));
        _registry = new AssetRegistryService(_store, _links, _time, NullLogger<AssetRegistryService>.Instance);
        _store.AddSite("site-1");
        _store.AddSite("site-2");
    }

    [Fact]
    public async Task Registering_stores_the_asset_and_reports_compliance_gaps_without_rejecting()
    {
        var outcome = await _registry.RegisterAsync(Valid(interval: "5s"), _ct);

        Assert.Equal(RegistryStatus.Created, outcome.Status);
        var response = outcome.Value!;
        Assert.Equal((AssetRegistrationResponse.Registered, "bess-001", false, false), (response.Status, response.AssetId, response.TelemetryValidated, response.IsoCompliant));
        Assert.Contains(response.Problems, p => p.Code == "CAISO-SOC-4S" && p.IsError);
        var stored = Assert.Single(_store.Assets);
        Assert.Equal(new AssetRecord("bess-001", AssetType.Battery, "SIM-BAT", 250, 1000, "meter-9", "CAISO-SP15", TimeSpan.FromSeconds(5),
            null, null, AssetStatus.Active, _time.GetUtcNow(), _time.GetUtcNow()), stored);
    }

    [Fact]
    public async Task The_program_is_stored_kept_on_re_registration_and_changed_by_update()
    {
        await _registry.RegisterAsync(Valid() with { Program = "summer-saver" }, _ct);
        Assert.Equal("summer-saver", Assert.Single(_store.Assets).Program);

        await _registry.RegisterAsync(Valid(), _ct); // no program given: the asset keeps its own
        Assert.Equal("summer-saver", Assert.Single(_store.Assets).Program);

        var updated = await _registry.UpdateAsync("bess-001", new AssetUpdateRequest(Program: "evening"), _ct);
        Assert.Equal("evening", updated.Value!.Program);
        Assert.Equal("evening", (await _registry.GetAsync("bess-001", _ct))!.Program);

        await _registry.RegisterAsync(Valid() with { AssetId = "bess-002" }, _ct);
        Assert.Equal(AssetRecord.DefaultProgram, _store.Assets.Single(a => a.AssetId == "bess-002").Program);
        var bad = await _registry.RegisterAsync(Valid() with { AssetId = "bess-003", Program = "no spaces" }, _ct);
        Assert.Equal("program", Assert.Single(bad.Value!.Problems).Field);
    }

    [Fact]
    public async Task Invalid_input_is_rejected_and_nothing_is_stored()
    {
        var outcome = await _registry.RegisterAsync(Valid() with { CapacityKw = -1 }, _ct);
        Assert.Equal(RegistryStatus.Invalid, outcome.Status);
        Assert.Equal((AssetRegistrationResponse.Rejected, false, false), (outcome.Value!.Status, outcome.Value.TelemetryValidated, outcome.Value.IsoCompliant));
        Assert.Equal("capacity_kw", Assert.Single(outcome.Value.Problems).Field);
        Assert.Empty(_store.Assets);
    }

    [Fact]
    public async Task Registering_the_same_asset_twice_is_idempotent()
    {
        await _registry.RegisterAsync(Valid(), _ct);
        var created = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(5));
        var again = await _registry.RegisterAsync(Valid(), _ct);

        Assert.Equal(RegistryStatus.Ok, again.Status);
        Assert.Equal(1, _store.AssetWrites);
        Assert.Equal(created, Assert.Single(_store.Assets).UpdatedAt);
    }

    [Fact]
    public async Task Re_registering_with_changes_updates_and_keeps_the_registration_time_and_link()
    {
        await _registry.RegisterAsync(Valid(), _ct);
        var created = _time.GetUtcNow();
        await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct);
        _time.Advance(TimeSpan.FromMinutes(5));
        await _registry.RegisterAsync(Valid() with { CapacityKw = 300 }, _ct);

        var stored = Assert.Single(_store.Assets);
        Assert.Equal((300.0, created, _time.GetUtcNow(), "site-1", "bat-1"), (stored.CapacityKw, stored.RegisteredAt, stored.UpdatedAt, stored.SiteId, stored.DeviceId));
    }

    [Fact]
    public async Task Get_shows_the_asset_with_its_compliance_and_unknown_ids_are_null()
    {
        await _registry.RegisterAsync(Valid(), _ct);
        var view = await _registry.GetAsync("bess-001", _ct);
        Assert.NotNull(view);
        Assert.Equal(("battery", "active", 4.0, true, true), (view.Type, view.Status, view.TelemetryIntervalS, view.TelemetryValidated, view.IsoCompliant));
        Assert.Null(await _registry.GetAsync("nope", _ct));
        Assert.Null(await _registry.GetAsync("../etc", _ct));
    }

    [Fact]
    public async Task Update_changes_only_the_given_fields_and_is_validated()
    {
        await _registry.RegisterAsync(Valid(), _ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        var updated = await _registry.UpdateAsync("bess-001", new AssetUpdateRequest(TelemetryInterval: System.Text.Json.JsonSerializer.SerializeToElement("10s"), MeterId: ""), _ct);

        Assert.Equal(RegistryStatus.Ok, updated.Status);
        var stored = Assert.Single(_store.Assets);
        Assert.Equal((TimeSpan.FromSeconds(10), (string?)null, 250.0, "CAISO-SP15", _time.GetUtcNow()),
            (stored.TelemetryInterval, stored.MeterId, stored.CapacityKw, stored.IsoZone, stored.UpdatedAt));
        Assert.False(updated.Value!.TelemetryValidated);

        var invalid = await _registry.UpdateAsync("bess-001", new AssetUpdateRequest(Type: "solar"), _ct);
        Assert.Equal(RegistryStatus.Invalid, invalid.Status);
        Assert.Equal("storage_kwh", Assert.Single(invalid.Problems).Field);

        Assert.Equal(RegistryStatus.Ok, (await _registry.UpdateAsync("bess-001", new AssetUpdateRequest(Type: "solar", StorageKwh: 0), _ct)).Status);
        Assert.Null(Assert.Single(_store.Assets).StorageKwh);
        Assert.Equal(RegistryStatus.NotFound, (await _registry.UpdateAsync("nope", new AssetUpdateRequest(), _ct)).Status);
    }

    [Fact]
    public async Task Retiring_keeps_the_asset_and_blocks_changes_until_it_is_registered_again()
    {
        await _registry.RegisterAsync(Valid(), _ct);
        await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct);
        var retired = await _registry.RetireAsync("bess-001", _ct);

        Assert.Equal("retired", retired.Value!.Status);
        Assert.Equal(AssetStatus.Retired, Assert.Single(_store.Assets).Status);
        Assert.Equal("retired", (await _registry.GetAsync("bess-001", _ct))!.Status);
        Assert.Equal(RegistryStatus.Ok, (await _registry.RetireAsync("bess-001", _ct)).Status);
        Assert.Equal(RegistryStatus.Conflict, (await _registry.UpdateAsync("bess-001", new AssetUpdateRequest(CapacityKw: 1), _ct)).Status);
        Assert.Equal(RegistryStatus.Conflict, (await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct)).Status);
        Assert.Equal(RegistryStatus.NotFound, (await _registry.RetireAsync("nope", _ct)).Status);

        await _registry.RegisterAsync(Valid(), _ct);
        var active = Assert.Single(_store.Assets);
        Assert.Equal((AssetStatus.Active, "bat-1"), (active.Status, active.DeviceId));
    }

    [Fact]
    public async Task Linking_needs_a_registered_site_and_a_device_not_reporting_for_another_asset()
    {
        await _registry.RegisterAsync(Valid(), _ct);
        await _registry.RegisterAsync(Valid(assetId: "bess-002"), _ct);

        var unknownSite = await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-9", "bat-1"), _ct);
        Assert.Equal((RegistryStatus.Invalid, "unknown_site"), (unknownSite.Status, Assert.Single(unknownSite.Problems).Code));
        var badIds = await _registry.LinkAsync("bess-001", new AssetLinkRequest(null, "bat 1"), _ct);
        Assert.Equal(["site_id", "device_id"], badIds.Problems.Select(p => p.Field));

        var linked = await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct);
        Assert.Equal(("site-1", "bat-1"), (linked.Value!.SiteId, linked.Value.DeviceId));
        Assert.Equal("bess-001", (await _store.FindAssetByDeviceAsync("site-1", "bat-1", _ct))!.AssetId);

        Assert.Equal(RegistryStatus.Ok, (await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct)).Status);
        var taken = await _registry.LinkAsync("bess-002", new AssetLinkRequest("site-1", "bat-1"), _ct);
        Assert.Equal((RegistryStatus.Conflict, "device_taken"), (taken.Status, Assert.Single(taken.Problems).Code));
        Assert.Equal(RegistryStatus.Ok, (await _registry.LinkAsync("bess-002", new AssetLinkRequest("site-2", "bat-1"), _ct)).Status);
        Assert.Equal(RegistryStatus.NotFound, (await _registry.LinkAsync("nope", new AssetLinkRequest("site-1", "x"), _ct)).Status);
    }

    [Fact]
    public async Task Every_change_through_the_registry_reaches_the_ingest_link_cache_at_once()
    {
        // The clock never moves: only invalidation can make the cache ask the store again.
        await _registry.RegisterAsync(Valid(), _ct);
        Assert.Null(await _links.FindAsync("site-1", "bat-1", _ct));

        await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct);
        Assert.Equal(250, (await _links.FindAsync("site-1", "bat-1", _ct))!.CapacityKw);

        await _registry.UpdateAsync("bess-001", new AssetUpdateRequest(CapacityKw: 300), _ct);
        Assert.Equal(300, (await _links.FindAsync("site-1", "bat-1", _ct))!.CapacityKw);

        await _registry.RegisterAsync(Valid() with { CapacityKw = 320 }, _ct);
        Assert.Equal(320, (await _links.FindAsync("site-1", "bat-1", _ct))!.CapacityKw);

        await _registry.RetireAsync("bess-001", _ct);
        Assert.Null(await _links.FindAsync("site-1", "bat-1", _ct));
    }

    [Fact]
    public async Task Listing_a_bare_iso_includes_its_sub_zones_and_retired_assets_only_on_request()
    {
        await _registry.RegisterAsync(Valid(assetId: "b", zone: "PJM-DOM"), _ct);
        await _registry.RegisterAsync(Valid(assetId: "a", zone: "PJM"), _ct);
        await _registry.RegisterAsync(Valid(assetId: "c", zone: "PJM-AEP"), _ct);
        await _registry.RegisterAsync(Valid(assetId: "d", zone: "CAISO"), _ct);
        await _registry.RetireAsync("c", _ct);

        async Task<IEnumerable<string>> Ids(string? zone, bool retired = false) =>
            (await _registry.ListAsync(zone, retired, _ct)).Value!.Select(v => v.AssetId);
        Assert.Equal(["a", "b"], await Ids("pjm"));
        Assert.Equal(["a", "b", "c"], await Ids("PJM", retired: true));
        Assert.Equal(["b"], await Ids("PJM-DOM"));
        Assert.Equal(["a", "b", "d"], await Ids(null));
        Assert.Equal(RegistryStatus.Invalid, (await _registry.ListAsync("NEM", false, _ct)).Status);
    }

    [Fact]
    public async Task The_enrollment_csv_lists_active_assets_of_the_zone_with_rfc_4180_quoting()
    {
        await _registry.RegisterAsync(Valid(assetId: "bess-001", interval: 5), _ct);
        await _registry.RegisterAsync(Valid(assetId: "pv-1", type: "solar") with { StorageKwh = null, MeterId = null, CapacityKw = 99.5 }, _ct);
        await _registry.RegisterAsync(Valid(assetId: "old", zone: "CAISO-SP15"), _ct);
        await _registry.RegisterAsync(Valid(assetId: "pjm-1", zone: "PJM"), _ct);
        await _registry.RetireAsync("old", _ct);
        await _registry.LinkAsync("bess-001", new AssetLinkRequest("site-1", "bat-1"), _ct);

        var csv = (await _registry.EnrollmentCsvAsync("CAISO", _ct)).Value!;
        var lines = csv.Split("\r\n");
        Assert.Equal("asset_id,type,capacity_kw,storage_kwh,meter_id,iso_zone,telemetry_interval_s,site_id,device_id,telemetry_validated,iso_compliant,problems", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("", lines[3]);
        Assert.StartsWith("bess-001,battery,250,1000,meter-9,CAISO-SP15,5,site-1,bat-1,false,false,error CAISO-SOC-4S [C1]: CAISO requires", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("pv-1,solar,99.5,,,CAISO-SP15,4,,,true,true,\"warning FERC2222-AUDIT-DATA [F2]: ", lines[2], StringComparison.Ordinal);
        // The unlinked solar asset gets two warnings; the meter warning holds a comma, so the field is quoted.
        Assert.Contains("; warning CAISO-REVENUE-METER [C7]: ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("\"", lines[2], StringComparison.Ordinal);
        Assert.Equal(RegistryStatus.Invalid, (await _registry.EnrollmentCsvAsync("nowhere", _ct)).Status);
    }
}

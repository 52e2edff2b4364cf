using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

public abstract partial class CollectorStoreTests
{
    [Fact]
    public async Task Assets_round_trip_and_an_upsert_replaces_the_asset()
    {
        var battery = Asset("bess-1", AssetType.Battery, storageKwh: 13.5, site: "site-a", device: "battery-1", interval: TimeSpan.FromMilliseconds(2500));
        var bare = new AssetRecord("pv-2", AssetType.SolarPlusStorage, null, 7.6, null, null, "ERCOT", TimeSpan.FromMinutes(5), null, null,
            AssetStatus.Active, T0, T0);
        await Store.UpsertAssetAsync(battery, Ct);
        await Store.UpsertAssetAsync(bare, Ct);
        Assert.Equal(battery, await Store.GetAssetAsync("bess-1", Ct));
        Assert.Equal(bare, await Store.GetAssetAsync("pv-2", Ct));
        Assert.Null(await Store.GetAssetAsync("missing", Ct));

        var moved = battery with { IsoZone = "PJM", StorageKwh = 27, Status = AssetStatus.Retired, UpdatedAt = T0.AddDays(1) };
        await Store.UpsertAssetAsync(moved, Ct);

        Assert.Equal(moved, await Store.GetAssetAsync("bess-1", Ct));
    }

    [Fact]
    public async Task An_asset_is_found_by_its_site_and_device_only_while_active()
    {
        var asset = Asset("pv-1", site: "site-a", device: "inverter-1");
        await Store.UpsertAssetAsync(asset, Ct);
        await Store.UpsertAssetAsync(Asset("pv-old", site: "site-a", device: "inverter-2", status: AssetStatus.Retired), Ct);

        Assert.Equal(asset, await Store.FindAssetByDeviceAsync("site-a", "inverter-1", Ct));
        Assert.Null(await Store.FindAssetByDeviceAsync("site-b", "inverter-1", Ct));
        Assert.Null(await Store.FindAssetByDeviceAsync("site-a", "inverter-2", Ct));
    }

    [Fact]
    public async Task Assets_are_listed_by_zone_with_or_without_the_retired()
    {
        await Store.UpsertAssetAsync(Asset("c-2", zone: "CAISO"), Ct);
        await Store.UpsertAssetAsync(Asset("c-1", zone: "CAISO"), Ct);
        await Store.UpsertAssetAsync(Asset("c-old", zone: "CAISO", status: AssetStatus.Retired), Ct);
        await Store.UpsertAssetAsync(Asset("e-1", zone: "ERCOT"), Ct);

        Assert.Equal(["c-1", "c-2"], (await Store.ListAssetsAsync("CAISO", includeRetired: false, Ct)).Select(a => a.AssetId));
        Assert.Equal(["c-1", "c-2", "c-old"], (await Store.ListAssetsAsync("CAISO", includeRetired: true, Ct)).Select(a => a.AssetId));
        Assert.Equal(["c-1", "c-2", "e-1"], (await Store.ListAssetsAsync(null, includeRetired: false, Ct)).Select(a => a.AssetId));
        Assert.Empty(await Store.ListAssetsAsync("PJM", includeRetired: true, Ct));
    }

    [Fact]
    public async Task Sites_round_trip_and_are_found_by_token()
    {
        var site = new SiteRecord("site-a", new string('a', 64), null, T0);
        var certificateOnly = new SiteRecord("site-b", null, "CN=site-b, O=Nexwatt", T0.AddTicks(10));
        await Store.UpsertSiteAsync(site, Ct);
        await Store.UpsertSiteAsync(certificateOnly, Ct);

        Assert.Equal(site, await Store.GetSiteAsync("site-a", Ct));
        Assert.Equal(certificateOnly, await Store.GetSiteAsync("site-b", Ct));
        Assert.Equal(site, await Store.FindSiteByTokenAsync(new string('a', 64), Ct));
        Assert.Null(await Store.FindSiteByTokenAsync(new string('b', 64), Ct));
        Assert.Null(await Store.GetSiteAsync("site-c", Ct));

        // A rotated token: the old one no longer identifies the site.
        var rotated = site with { TokenSha256 = new string('c', 64) };
        await Store.UpsertSiteAsync(rotated, Ct);
        Assert.Null(await Store.FindSiteByTokenAsync(new string('a', 64), Ct));
        Assert.Equal(rotated, await Store.FindSiteByTokenAsync(new string('c', 64), Ct));
    }

    [Fact]
    public async Task Fleet_totals_sum_fresh_power_and_stored_energy_per_zone_and_count_the_stale()
    {
        var now = T0.AddMinutes(10);
        await Store.UpsertAssetAsync(Asset("pv-fresh", zone: "CAISO"), Ct);
        await Store.UpsertAssetAsync(Asset("bess-charging", AssetType.Battery, zone: "CAISO", storageKwh: 1000), Ct);
        await Store.UpsertAssetAsync(Asset("pv-stale", zone: "CAISO"), Ct);
        await Store.UpsertAssetAsync(Asset("pv-silent", zone: "CAISO"), Ct);
        await Store.UpsertAssetAsync(Asset("pv-retired", zone: "CAISO", status: AssetStatus.Retired), Ct);
        await Store.UpsertAssetAsync(Asset("hybrid", AssetType.SolarPlusStorage, zone: "ERCOT", storageKwh: 2000, interval: TimeSpan.FromMinutes(1)), Ct);
        await Store.UpsertAssetAsync(Asset("bess-stale-soc", AssetType.Battery, zone: "ERCOT", storageKwh: 500), Ct);
        await Store.InsertSamplesAsync(
        [
            Sample("pv-fresh", Measurement.ActivePowerW, 2_000_000, now.AddSeconds(-14), 1), // 3 intervals of 5 s: still fresh
            Sample("bess-charging", Measurement.ActivePowerW, -500_000, now.AddSeconds(-2), 2),
            Sample("bess-charging", Measurement.StateOfChargePct, 80, now.AddSeconds(-2), 3),
            Sample("pv-stale", Measurement.ActivePowerW, 9_000_000, now.AddSeconds(-16), 4), // older than 3 × 5 s
            Sample("pv-retired", Measurement.ActivePowerW, 9_000_000, now, 5),
            Sample("hybrid", Measurement.ActivePowerW, 1_250_000, now.AddMinutes(-2), 6), // 3 × 1 min
            Sample("hybrid", Measurement.StateOfChargePct, 50, now.AddMinutes(-2), 7),
            Sample("bess-stale-soc", Measurement.ActivePowerW, 250_000, now, 8),
            Sample("bess-stale-soc", Measurement.StateOfChargePct, 10, now.AddMinutes(-1), 9),
        ], Ct);

        var totals = await Store.GetFleetTotalsAsync(now, Ct);

        Assert.Equal(["CAISO", "ERCOT"], totals.Select(t => t.IsoZone));
        var caiso = totals[0];
        Assert.Equal(4, caiso.Assets);
        Assert.Equal(2, caiso.StaleAssets);
        Assert.Equal(1.5, caiso.MegawattsNow, 9);
        Assert.Equal(0.8, caiso.MegawattHoursStored, 9);
        Assert.Equal(80, caiso.AverageStateOfChargePct!.Value, 9);
        Assert.Equal(now, caiso.AsOf);
        var ercot = totals[1];
        Assert.Equal(2, ercot.Assets);
        Assert.Equal(0, ercot.StaleAssets);
        Assert.Equal(1.5, ercot.MegawattsNow, 9);
        Assert.Equal(1.0, ercot.MegawattHoursStored, 9);
        Assert.Equal(50, ercot.AverageStateOfChargePct!.Value, 9);
    }

    [Fact]
    public async Task Fleet_totals_of_a_zone_without_batteries_have_no_state_of_charge()
    {
        await Store.UpsertAssetAsync(Asset("pv-1", zone: "NYISO"), Ct);

        var totals = Assert.Single(await Store.GetFleetTotalsAsync(T0, Ct));

        Assert.Equal(new ZoneTotals("NYISO", 1, 0, 0, null, T0), totals with { StaleAssets = 0 });
        Assert.Equal(1, totals.StaleAssets);
        // A zone whose every asset is retired is not listed.
        await Store.UpsertAssetAsync(Asset("pv-1", zone: "NYISO", status: AssetStatus.Retired), Ct);
        Assert.Empty(await Store.GetFleetTotalsAsync(T0, Ct));
    }
}

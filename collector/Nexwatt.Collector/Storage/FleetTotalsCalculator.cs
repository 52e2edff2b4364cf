using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Storage;

/// <summary>One active asset with its latest power and state of charge, as both stores read it for fleet totals.</summary>
internal readonly record struct FleetAssetRow(
    string IsoZone,
    AssetType Type,
    double? StorageKwh,
    TimeSpan TelemetryInterval,
    double? PowerW,
    DateTimeOffset? PowerTime,
    double? StateOfChargePct,
    DateTimeOffset? StateOfChargeTime);

/// <summary>
/// Fleet totals per ISO zone over active assets. A latest value counts only while it is at most
/// <see cref="FreshIntervals"/> telemetry intervals old; an asset without fresh power is counted in
/// <see cref="ZoneTotals.StaleAssets"/> and adds nothing.
/// </summary>
internal static class FleetTotalsCalculator
{
    public const int FreshIntervals = 3;

    public static IReadOnlyList<ZoneTotals> Compute(IEnumerable<FleetAssetRow> assets, DateTimeOffset now)
    {
        var zones = new SortedDictionary<string, Accumulator>(StringComparer.Ordinal);
        foreach (var asset in assets)
        {
            if (!zones.TryGetValue(asset.IsoZone, out var zone)) zones[asset.IsoZone] = zone = new Accumulator();
            zone.Assets++;
            var maxAge = asset.TelemetryInterval * FreshIntervals;
            // A value that would make the total infinite (a garbled device reporting 1e308 W, flagged out of range
            // by normalization) is left out like a stale one: an infinite total cannot even be written as JSON.
            if (IsFresh(asset.PowerTime, now, maxAge) && asset.PowerW is { } watts && double.IsFinite(zone.Watts + watts)) zone.Watts += watts;
            else zone.Stale++;
            if (asset.Type is AssetType.Battery or AssetType.SolarPlusStorage
                && IsFresh(asset.StateOfChargeTime, now, maxAge) && asset.StateOfChargePct is { } soc and >= 0 and <= 100
                && double.IsFinite(zone.KilowattHours + soc * (asset.StorageKwh ?? 0) / 100))
            {
                zone.SocSum += soc;
                zone.SocCount++;
                if (asset.StorageKwh is { } kwh) zone.KilowattHours += soc * kwh / 100;
            }
        }
        return zones.Select(z => new ZoneTotals(
                z.Key, z.Value.Assets, z.Value.Watts / 1e6, z.Value.KilowattHours / 1000,
                z.Value.SocCount == 0 ? null : z.Value.SocSum / z.Value.SocCount, now)
            { StaleAssets = z.Value.Stale })
            .ToList();
    }

    // A value from the future (a fast edge clock) is fresh: it is the newest the asset said.
    private static bool IsFresh(DateTimeOffset? time, DateTimeOffset now, TimeSpan maxAge) => time is { } t && now - t <= maxAge;

    private sealed class Accumulator
    {
        public int Assets;
        public int Stale;
        public double Watts;
        public double KilowattHours;
        public double SocSum;
        public int SocCount;
    }
}

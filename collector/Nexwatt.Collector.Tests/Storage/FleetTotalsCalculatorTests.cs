using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Storage;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

public sealed class FleetTotalsCalculatorTests
{
    private static FleetAssetRow Row(double watts, double? soc = null, double? kwh = null) =>
        new("PJM", soc is null ? AssetType.Solar : AssetType.Battery, kwh, TimeSpan.FromSeconds(5), watts, T0, soc, T0);

    [Fact]
    public void Garbled_values_never_make_a_total_infinite()
    {
        // Two devices reporting 1e308 W (a scale factor gone wrong) would sum to infinity, which no JSON can carry.
        var zone = Assert.Single(FleetTotalsCalculator.Compute([Row(1e308), Row(1e308), Row(5e6)], T0));
        Assert.True(double.IsFinite(zone.MegawattsNow));
        Assert.Equal(1, zone.StaleAssets);

        // A state of charge outside 0..100 is not averaged in.
        var batteries = Assert.Single(FleetTotalsCalculator.Compute([Row(0, soc: 50, kwh: 10), Row(0, soc: 1e300, kwh: 1e7)], T0));
        Assert.Equal((50.0, 0.005), (batteries.AverageStateOfChargePct!.Value, batteries.MegawattHoursStored));
    }
}

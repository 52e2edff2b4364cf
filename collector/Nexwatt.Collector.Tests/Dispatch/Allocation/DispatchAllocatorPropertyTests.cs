using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Tests.Dispatch.Allocation;

/// <summary>Properties of allocation over random fleets and requests in every direction.</summary>
public class DispatchAllocatorPropertyTests
{
    private readonly DispatchAllocator _allocator = new();

    private sealed record Case(AllocationRequest Request, List<AllocationCandidate> Fleet, int Seed);

    private static readonly Gen<AllocationCandidate> AnyCandidate =
        from type in Gen.Elements(AssetType.Battery, AssetType.Battery, AssetType.SolarPlusStorage, AssetType.Solar)
        from rated in Gen.Elements(0.0, 3.3, 5.0, 7.6, 10.0)
        from kwh in Gen.Elements<double?>(null, 10.0, 13.5, 20.0)
        from soc in Gen.OneOf(Gen.Choose(0, 1000).Select(v => (double?)(v / 10.0)), Gen.Constant<double?>(null))
        from reserve in Gen.Elements(0.0, 20.0, 30.0)
        from maxSoc in Gen.Elements(90.0, 95.0, 100.0)
        from power in Gen.OneOf(Gen.Choose(-5000, 9000).Select(v => (double?)(v / 1000.0)), Gen.Constant<double?>(null))
        from online in Gen.Elements(true, true, true, false)
        from program in Gen.Elements("basic", "premium")
        select new AllocationCandidate("", "", "", type, program, rated, type == AssetType.Solar ? null : kwh, soc, reserve, maxSoc, power, online);

    private static readonly Arbitrary<Case> Cases = (
        from fleet in Gen.ListOf(AnyCandidate)
        from kw in Gen.Choose(0, 200_000)
        from direction in Gen.Elements(DispatchDirection.Discharge, DispatchDirection.Charge, DispatchDirection.Curtail)
        from minutes in Gen.Choose(1, 240)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Case(new AllocationRequest(kw / 1000.0 / 10, direction, TimeSpan.FromMinutes(minutes)),
            fleet.Select((c, i) => c with { AssetId = $"a-{i}", SiteId = $"s-{i}", DeviceId = $"d-{i}" }).ToList(), seed)).ToArbitrary();

    [Fact]
    public void The_same_fleet_in_any_order_gives_the_same_allocation()
    {
        Prop.ForAll(Cases, c =>
        {
            var first = _allocator.Allocate(c.Request, c.Fleet);
            var random = new Random(c.Seed);
            var shuffled = _allocator.Allocate(c.Request, c.Fleet.OrderBy(_ => random.Next()).ToList());
            Assert.Equal(first.Assets, shuffled.Assets);
            Assert.Equal(first.Excluded, shuffled.Excluded);
            Assert.Equal(first.MegawattsExpected, shuffled.MegawattsExpected);
            Assert.Equal(first.Summary, shuffled.Summary);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Allocations_sum_to_the_request_or_the_fleet_limit_and_none_exceeds_its_limit()
    {
        Prop.ForAll(Cases, c =>
        {
            var result = _allocator.Allocate(c.Request, c.Fleet);
            var totalLimitKw = result.Assets.Sum(a => a.LimitKw);
            var sumKw = result.Assets.Sum(a => a.Kilowatts);
            var target = Math.Min(c.Request.MegawattsRequested * 1000, totalLimitKw);
            Assert.InRange(sumKw, target - 0.001, target + 0.001); // 1 W
            Assert.InRange(result.MegawattsExpected * 1000, sumKw - 0.001, sumKw + 0.001);
            Assert.All(result.Assets, a => Assert.True(a.Kilowatts >= 0 && a.Kilowatts <= a.LimitKw && a.LimitKw > 0, $"{a}"));
            Assert.Equal(c.Fleet.Count, result.Assets.Count + result.Excluded.Count);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void No_discharge_takes_a_battery_below_reserve_and_no_charge_beyond_its_maximum()
    {
        Prop.ForAll(Cases, c =>
        {
            var result = _allocator.Allocate(c.Request, c.Fleet);
            var byId = c.Fleet.ToDictionary(f => f.AssetId);
            var hours = c.Request.Window.TotalHours;
            Assert.All(result.Assets, a =>
            {
                var f = byId[a.AssetId];
                Assert.True(c.Request.Direction switch
                {
                    DispatchDirection.Discharge => a.Kilowatts * hours <= (f.StateOfChargePct!.Value - f.ReservePct) / 100 * f.StorageKwh!.Value + 1e-9,
                    DispatchDirection.Charge => a.Kilowatts * hours <= (f.MaxStateOfChargePct - f.StateOfChargePct!.Value) / 100 * f.StorageKwh!.Value + 1e-9,
                    _ => a.Kilowatts <= Math.Max(0, f.ActivePowerKw!.Value) + 1e-9 && f.Type != AssetType.Battery,
                } && a.Kilowatts <= f.RatedKw + 1e-9 && f.Online, $"{a} from {f} for {c.Request}");
            });
        }).QuickCheckThrowOnFailure();
    }
}

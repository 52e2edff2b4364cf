using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Dispatch.Allocation.Fleet;

namespace Nexwatt.Collector.Tests.Dispatch.Allocation;

public class DispatchAllocatorTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly DispatchAllocator _allocator = new();

    [Fact]
    public void Issue_fleet_with_5_kW_inverters_cannot_give_2_MW_and_reports_the_shortfall_up_front()
    {
        // 200 x 5 kW is 1 MW of inverters: the 2 MW hour is out of reach whatever the charge; every usable battery
        // gives its whole limit and the rest is reported as shortfall, before anything is sent.
        var fleet = IssueFleet(ratedKw: 5);
        var result = _allocator.Allocate(new AllocationRequest(2, DispatchDirection.Discharge, Hour), fleet);

        var expectedLimits = fleet.Where(c => c.StateOfChargePct > c.ReservePct)
            .Sum(c => Math.Min(5, UsableKwh(c) * DispatchAllocator.DefaultDischargeEnergyMargin));
        Assert.Equal(expectedLimits / 1000, result.MegawattsExpected, 0.000_001); // within 1 W (rounding down per asset)
        Assert.True(result.MegawattsExpected < 1);
        Assert.Equal(2 - result.MegawattsExpected, result.ShortfallMegawatts, 1e-9);
        Assert.All(result.Assets, a => Assert.Equal(a.LimitKw, a.Kilowatts));
        Assert.Equal(fleet.Count(c => c.StateOfChargePct <= c.ReservePct), result.Excluded.Count);
        Assert.All(result.Excluded, e => Assert.StartsWith("at or below reserve", e.Reason, StringComparison.Ordinal));
        NobodyGoesBelowReserve(fleet, result, hours: 1);
        Assert.Contains("shortfall", result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_fleet_with_10_kW_inverters_charged_above_85_percent_gives_the_full_2_MW_hour()
    {
        // 2 MWh out of 200 x 20 kWh above 20-30 % reserves needs nearly full batteries: from 85 % up every one holds
        // its 10 kW for the hour.
        var fleet = IssueFleet(ratedKw: 10, minSoc: 85, maxSoc: 95);
        var result = _allocator.Allocate(new AllocationRequest(2, DispatchDirection.Discharge, Hour), fleet);

        Assert.Equal(2, result.MegawattsExpected, 0.000_001);
        Assert.Equal(0, result.ShortfallMegawatts, 0.000_001);
        Assert.Equal(200, result.Assets.Count);
        Assert.Empty(result.Excluded);
        Assert.Equal(2000, result.Assets.Sum(a => a.Kilowatts), 0.001);
        NobodyGoesBelowReserve(fleet, result, hours: 1);
    }

    [Fact]
    public void Issue_fleet_spreads_1_MW_in_proportion_to_headroom_without_taking_anyone_below_reserve()
    {
        var fleet = IssueFleet(ratedKw: 10);
        var result = _allocator.Allocate(new AllocationRequest(1, DispatchDirection.Discharge, Hour), fleet);

        Assert.Equal(1, result.MegawattsExpected, 0.000_001);
        Assert.Equal(1000, result.Assets.Sum(a => a.Kilowatts), 0.001);
        Assert.Equal(0, result.ShortfallMegawatts);
        Assert.InRange(result.CommonFraction, 0.01, 0.99);
        // One common fraction of each limit (to 0.1 W), so more headroom means a larger share.
        Assert.All(result.Assets, a => Assert.Equal(a.LimitKw * result.CommonFraction, a.Kilowatts, 0.000_11));
        var ordered = result.Assets.OrderBy(a => a.LimitKw).ToList();
        for (var i = 1; i < ordered.Count; i++) Assert.True(ordered[i].Kilowatts >= ordered[i - 1].Kilowatts - 0.0001);
        NobodyGoesBelowReserve(fleet, result, hours: 1);
        Assert.Equal(result.Assets.Select(a => a.AssetId).Order(StringComparer.Ordinal), result.Assets.Select(a => a.AssetId));
    }

    [Fact]
    public void Reallocation_covers_a_tenth_of_the_fleet_dropping_out()
    {
        var fleet = IssueFleet(ratedKw: 10);
        var request = new AllocationRequest(1, DispatchDirection.Discharge, Hour);
        var first = _allocator.Allocate(request, fleet);
        var failed = first.Assets.Where((_, i) => i % 10 == 0).Select(a => a.AssetId).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(first.Assets.Count / 10 + (first.Assets.Count % 10 == 0 ? 0 : 1), failed.Count);

        // Half the window is left; the survivors carry the whole megawatt for it.
        var remaining = new AllocationRequest(1, DispatchDirection.Discharge, TimeSpan.FromMinutes(30));
        var again = _allocator.Reallocate(remaining, fleet, failed);

        Assert.Equal(1, again.MegawattsExpected, 0.000_001);
        Assert.DoesNotContain(again.Assets, a => failed.Contains(a.AssetId));
        Assert.Equal(failed.Order(StringComparer.Ordinal),
            again.Excluded.Where(e => e.Reason == DispatchAllocator.FailedReason).Select(e => e.AssetId));
        Assert.True(again.CommonFraction > 0);
        NobodyGoesBelowReserve(fleet, again, hours: 0.5);
    }

    [Fact]
    public void Shortfall_gives_every_asset_its_limit_and_says_so()
    {
        var fleet = new[] { Battery("a", 90), Battery("b", 90), Battery("c", 30.5, reserve: 20) };
        var result = new DispatchAllocator(1.0).Allocate(new AllocationRequest(0.020, DispatchDirection.Discharge, Hour), fleet);

        Assert.Equal([5.0, 5.0, 2.1], result.Assets.Select(a => a.Kilowatts));
        Assert.Equal(0.0121, result.MegawattsExpected, 1e-12);
        Assert.Equal(0.0079, result.ShortfallMegawatts, 1e-12);
        Assert.Equal(
            "requested 0.020 MW discharge for 1.00 h; expected 0.0121 MW from 3 of 3 usable assets (fleet limit 0.0121 MW, each at 100.0% of its limit); shortfall 0.0079 MW; none excluded",
            result.Summary);
    }

    [Fact]
    public void Reason_states_the_limit_and_the_share()
    {
        var result = new DispatchAllocator(1.0).Allocate(new AllocationRequest(0.002, DispatchDirection.Discharge, Hour), [Battery("a", 62)]);

        var a = Assert.Single(result.Assets);
        Assert.Equal(2.0, a.Kilowatts);
        Assert.Equal("limit 5.0 kW = min(rated 5.0 kW, energy (62% - 20% reserve) x 20.0 kWh x 1.00 margin / 1.00 h = 8.4 kW); share 40.0% of limit -> 2.0 kW", a.Reason);
    }

    [Fact]
    public void Energy_limit_includes_the_margin_and_the_window()
    {
        // (50 - 20) % x 20 kWh = 6 kWh; x 0.95 / 2 h = 2.85 kW.
        var result = _allocator.Allocate(new AllocationRequest(1, DispatchDirection.Discharge, TimeSpan.FromHours(2)), [Battery("a", 50)]);

        var a = Assert.Single(result.Assets);
        Assert.Equal(2.85, a.LimitKw, 1e-9);
        Assert.Equal(2.85, a.Kilowatts, 1e-9);
        Assert.Contains("x 0.95 margin / 2.00 h = 2.85 kW", a.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Excluded_assets_each_carry_their_reason()
    {
        var fleet = new[]
        {
            Battery("offline", 80, online: false),
            Battery("no-soc", null),
            Battery("no-kwh", 80, kwh: null),
            Battery("at-reserve", 20, reserve: 20),
            Battery("below-reserve", 25, reserve: 30),
            Battery("no-rating", 80, ratedKw: 0),
            Solar("pv", 3),
            Battery("ok", 80),
        };
        var result = _allocator.Allocate(new AllocationRequest(1, DispatchDirection.Discharge, Hour), fleet);

        Assert.Equal("ok", Assert.Single(result.Assets).AssetId);
        var reasons = result.Excluded.ToDictionary(e => e.AssetId, e => e.Reason);
        Assert.Equal("offline", reasons["offline"]);
        Assert.Equal("unknown state of charge", reasons["no-soc"]);
        Assert.Equal("unknown storage capacity", reasons["no-kwh"]);
        Assert.Equal("at or below reserve: state of charge 20% <= reserve 20%", reasons["at-reserve"]);
        Assert.StartsWith("at or below reserve", reasons["below-reserve"], StringComparison.Ordinal);
        Assert.StartsWith("zero limit: min(rated 0.0 kW", reasons["no-rating"], StringComparison.Ordinal);
        Assert.Equal("wrong type for discharge: Solar has no storage", reasons["pv"]);
        Assert.Contains("7 excluded (2 at or below reserve, 1 offline, 1 unknown state of charge, 1 unknown storage capacity, 1 wrong type for discharge, 1 zero limit)",
            result.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Charge_fills_the_room_up_to_max_state_of_charge()
    {
        var fleet = new[]
        {
            Battery("a", 50, maxSoc: 95), // room 45 % x 20 kWh = 9 kW for an hour, rated 5
            Battery("b", 90, maxSoc: 95), // room 5 % x 20 kWh = 1 kW
            Battery("full", 95, maxSoc: 95),
            Solar("pv", 4),
        };
        var result = _allocator.Allocate(new AllocationRequest(0.003, DispatchDirection.Charge, Hour), fleet);

        Assert.Equal([("a", 2.5, 5.0), ("b", 0.5, 1.0)], result.Assets.Select(a => (a.AssetId, a.Kilowatts, a.LimitKw)));
        Assert.Equal(0.003, result.MegawattsExpected, 1e-12);
        Assert.Equal("full: state of charge 95% >= max 95%", result.Excluded.Single(e => e.AssetId == "full").Reason);
        Assert.Equal("wrong type for charge: Solar has no storage", result.Excluded.Single(e => e.AssetId == "pv").Reason);
        Assert.Contains("room (95% max - 50%) x 20.0 kWh / 1.00 h = 9.0 kW", result.Assets[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Curtail_cuts_at_most_the_present_output_of_PV()
    {
        var fleet = new[]
        {
            Solar("pv-a", 4),
            Battery("hybrid", 60, type: AssetType.SolarPlusStorage, activeKw: 6), // present 6 kW, rated 5
            Solar("pv-dark", 0),
            Solar("pv-unknown", null),
            Battery("bat", 60),
        };
        var result = _allocator.Allocate(new AllocationRequest(0.0045, DispatchDirection.Curtail, Hour), fleet);

        Assert.Equal([("hybrid", 2.5, 5.0), ("pv-a", 2.0, 4.0)], result.Assets.Select(a => (a.AssetId, a.Kilowatts, a.LimitKw)));
        var reasons = result.Excluded.ToDictionary(e => e.AssetId, e => e.Reason);
        Assert.Equal("wrong type for curtail: Battery has no PV", reasons["bat"]);
        Assert.Equal("unknown present output", reasons["pv-unknown"]);
        Assert.StartsWith("zero limit: min(rated 5.0 kW, present export 0.0 kW)", reasons["pv-dark"], StringComparison.Ordinal);
    }

    [Fact]
    public void Rounding_remainder_goes_to_the_largest_fraction_then_the_first_asset_id()
    {
        var fleet = new[] { Battery("c", 90), Battery("a", 90), Battery("b", 90) };
        var result = _allocator.Allocate(new AllocationRequest(0.010, DispatchDirection.Discharge, Hour), fleet);

        Assert.Equal([("a", 3.3334), ("b", 3.3333), ("c", 3.3333)], result.Assets.Select(a => (a.AssetId, a.Kilowatts)));
        Assert.Equal(10, result.Assets.Sum(a => a.Kilowatts), 1e-9);
    }

    [Fact]
    public void Nothing_requested_gives_nothing_and_duplicates_and_bad_requests_throw()
    {
        var zero = _allocator.Allocate(new AllocationRequest(0, DispatchDirection.Discharge, Hour), [Battery("a", 80)]);
        Assert.Equal(0, Assert.Single(zero.Assets).Kilowatts);
        Assert.Equal(0, zero.MegawattsExpected);

        Assert.Throws<ArgumentException>(() => _allocator.Allocate(new AllocationRequest(1, DispatchDirection.Discharge, Hour), [Battery("a", 80), Battery("a", 70)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => _allocator.Allocate(new AllocationRequest(-1, DispatchDirection.Discharge, Hour), []));
        Assert.Throws<ArgumentOutOfRangeException>(() => _allocator.Allocate(new AllocationRequest(1, DispatchDirection.Discharge, TimeSpan.Zero), []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DispatchAllocator(0));
    }

    /// <summary>Holding each allocation for the window uses no more than the energy above the program's reserve.</summary>
    private static void NobodyGoesBelowReserve(IReadOnlyList<AllocationCandidate> fleet, AllocationResult result, double hours)
    {
        var byId = fleet.ToDictionary(c => c.AssetId);
        Assert.All(result.Assets, a =>
        {
            Assert.InRange(a.Kilowatts, 0, a.LimitKw);
            Assert.True(a.Kilowatts * hours <= UsableKwh(byId[a.AssetId]) + 1e-9, $"{a.AssetId}: {a.Kilowatts} kW x {hours} h");
        });
    }
}

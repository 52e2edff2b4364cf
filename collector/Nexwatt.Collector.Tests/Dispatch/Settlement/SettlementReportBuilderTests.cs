using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Collector.Dispatch.Settlement;
using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Dispatch.Settlement.SettlementData;

namespace Nexwatt.Collector.Tests.Dispatch.Settlement;

public class SettlementReportBuilderTests
{
    private const double Tolerance = 1e-9;
    private readonly SettlementReportBuilder _builder = new();

    [Fact]
    public void Asset_intervals_carry_instructed_metered_baseline_delivered_and_flags()
    {
        var report = _builder.Build(Input());

        Assert.Equal(FiveMinutes, report.SettlementInterval);
        Assert.Equal(12, report.AssetIntervals.Count);
        var rows = report.AssetIntervals.ToDictionary(r => (r.AssetId, (int)(r.Start - T0).TotalMinutes));

        Row(rows[("a1", 0)], 4, 5, 1, 4, QualityFlags.None, QualityFlags.None);
        Row(rows[("a1", 5)], 4, 4, 1, 3, QualityFlags.None, QualityFlags.None);
        Row(rows[("a1", 10)], 4, 5, 1, 4, QualityFlags.None, QualityFlags.None);
        Row(rows[("a2", 0)], 2, 1.5, -0.5, 2, QualityFlags.Late, QualityFlags.Missing);
        Row(rows[("a2", 5)], 3.5, null, -0.5, 0, QualityFlags.Missing, QualityFlags.Missing);
        Row(rows[("a2", 10)], 4, 3.5, -0.5, 4, QualityFlags.Stale, QualityFlags.Missing);
        Row(rows[("p1", 0)], 6, 6, 0, 6, QualityFlags.None, QualityFlags.None);
        Row(rows[("p1", 10)], 6, 6, 0, 4.8, QualityFlags.Missing, QualityFlags.None);
        Row(rows[("p2", 5)], 2, null, null, 0, QualityFlags.Missing, QualityFlags.Missing);
        Assert.DoesNotContain(report.AssetIntervals, r => r.AssetId == "unscheduled");
        Assert.Equal(["a1", "a2", "p1", "p2"], report.AssetIntervals.Take(4).Select(r => r.AssetId));
    }

    [Fact]
    public void Cohort_and_fleet_intervals_add_up_the_assets()
    {
        var report = _builder.Build(Input());

        var basic0 = report.CohortIntervals.Single(r => r.Cohort == "basic" && r.Start == T0);
        Assert.Equal((2, 6.0, 6.5, 0.5, 6.0, 1, QualityFlags.Late | QualityFlags.Missing),
            (basic0.AssetCount, basic0.InstructedKw, basic0.MeteredKw, basic0.BaselineKw, basic0.DeliveredKw, basic0.FlaggedAssets, basic0.Flags));
        var premium2 = report.CohortIntervals.Single(r => r.Cohort == "premium" && r.Start == T0 + 2 * FiveMinutes);
        Assert.Equal((8.0, 2, QualityFlags.Missing), (premium2.InstructedKw, premium2.FlaggedAssets, premium2.Flags));
        Assert.Equal(4.8, premium2.DeliveredKw, Tolerance);

        Assert.Equal([0.012, 0.012, 0.012], report.FleetIntervals.Select(r => r.RequestedMw));
        Assert.Equal([0.012, 0.009, 0.0128], report.FleetIntervals.Select(r => r.DeliveredMw), new ToleranceComparer(Tolerance));
        Assert.Equal([1.0, 0.75, 0.0128 / 0.012], report.FleetIntervals.Select(r => r.PerformanceRatio!.Value), new ToleranceComparer(Tolerance));
        Assert.Equal([0.014, 0.0155, 0.016], report.FleetIntervals.Select(r => r.InstructedMw), new ToleranceComparer(Tolerance));
        Assert.Equal([2, 2, 3], report.FleetIntervals.Select(r => r.FlaggedAssets));
    }

    [Fact]
    public void Totals_per_asset_cohort_and_fleet_in_MWh()
    {
        var report = _builder.Build(Input());

        var assets = report.Assets.ToDictionary(a => a.AssetId);
        Total(assets["a1"].InstructedMwh, assets["a1"].DeliveredMwh, assets["a1"].PerformanceRatio, 12 / 12.0, 11 / 12.0);
        Total(assets["a2"].InstructedMwh, assets["a2"].DeliveredMwh, assets["a2"].PerformanceRatio, 9.5 / 12, 6 / 12.0);
        Total(assets["p1"].InstructedMwh, assets["p1"].DeliveredMwh, assets["p1"].PerformanceRatio, 18 / 12.0, 16.8 / 12);
        Total(assets["p2"].InstructedMwh, assets["p2"].DeliveredMwh, assets["p2"].PerformanceRatio, 6 / 12.0, 0);
        Assert.Equal([0, 3, 1, 3], report.Assets.Select(a => a.FlaggedIntervals));
        Assert.Equal(-0.5, assets["a2"].BaselineKw!.Value, Tolerance);
        Assert.Equal(QualityFlags.Missing, assets["a2"].BaselineFlags);
        Assert.Null(assets["p2"].BaselineKw);

        var cohorts = report.Cohorts.ToDictionary(c => c.Cohort);
        Total(cohorts["basic"].InstructedMwh, cohorts["basic"].DeliveredMwh, cohorts["basic"].PerformanceRatio, 21.5 / 12, 17 / 12.0);
        Total(cohorts["premium"].InstructedMwh, cohorts["premium"].DeliveredMwh, cohorts["premium"].PerformanceRatio, 24 / 12.0, 16.8 / 12);
        Assert.Equal((2, 3), (cohorts["basic"].AssetCount, cohorts["basic"].FlaggedIntervals));
        Assert.Equal((2, 4), (cohorts["premium"].AssetCount, cohorts["premium"].FlaggedIntervals));

        Assert.Equal(0.003, report.Fleet.RequestedMwh, Tolerance);
        Assert.Equal(45.5 / 12 / 1000, report.Fleet.InstructedMwh, Tolerance);
        Assert.Equal(33.8 / 12 / 1000, report.Fleet.DeliveredMwh, Tolerance);
        Assert.Equal(33.8 / 12 / 3, report.Fleet.PerformanceRatio!.Value, Tolerance);
        Assert.Equal(7, report.Fleet.FlaggedIntervals);
    }

    [Fact]
    public void Capacity_payment_follows_delivered_energy_and_sums_exactly()
    {
        var report = _builder.Build(Input());

        // 12.00 x (17/12) / (17/12 + 16.8/12) = 6.0355 -> 6.03; premium 5.9645 -> 5.96; the cent left to basic.
        Assert.Equal(12.00m, report.Payment.Amount);
        Assert.Equal([("basic", 6.04m), ("premium", 5.96m)], report.Cohorts.Select(c => (c.Cohort, c.CapacityPayment)));
        Assert.Equal(report.Payment.Amount, report.Cohorts.Sum(c => c.CapacityPayment));
        Assert.Equal((12.00m, 0m), (report.Payment.Attributed, report.Payment.Unattributed));
    }

    [Fact]
    public void Remainder_cents_go_to_the_largest_cohort_and_negative_delivery_counts_as_zero()
    {
        // Three cohorts delivering 1 kW each and one delivering -1 kW; 10.00 split three ways leaves a cent.
        var spans = new List<InstructedSpan>();
        var telemetry = new List<AssetTelemetry>();
        foreach (var (cohort, watts) in new[] { ("c", 1000.0), ("b", 1000.0), ("a", 1000.0), ("neg", -1000.0) })
        {
            spans.Add(new InstructedSpan("x-" + cohort, "s", cohort, 1, T0, T0 + FiveMinutes));
            telemetry.Add(new AssetTelemetry("x-" + cohort, FiveMinutes,
                [Record("x-" + cohort, T0 - FiveMinutes, FiveMinutes, 0), Record("x-" + cohort, T0, FiveMinutes, watts)]));
        }
        var input = new SettlementInput("d-2", "zone-a", DispatchDirection.Discharge, 0.01, T0, T0 + FiveMinutes, 1000m, "USD", spans, telemetry)
        {
            BaselineIntervals = 1,
        };

        var report = _builder.Build(input);

        Assert.Equal([("a", 3.34m), ("b", 3.33m), ("c", 3.33m), ("neg", 0m)], report.Cohorts.Select(c => (c.Cohort, c.CapacityPayment)));
        Assert.Equal(10.00m, report.Cohorts.Sum(c => c.CapacityPayment));
        Assert.Equal(-1 / 12.0 / 1000, report.Cohorts.Single(c => c.Cohort == "neg").DeliveredMwh, Tolerance);
    }

    [Fact]
    public void Nothing_delivered_leaves_the_payment_unattributed()
    {
        var input = Input() with { Telemetry = [] };

        var report = _builder.Build(input);

        Assert.All(report.AssetIntervals, r => Assert.Equal((0.0, QualityFlags.Missing), (r.DeliveredKw, r.Flags)));
        Assert.All(report.Cohorts, c => Assert.Equal(0m, c.CapacityPayment));
        Assert.Equal((12.00m, 0m, 12.00m), (report.Payment.Amount, report.Payment.Attributed, report.Payment.Unattributed));
        Assert.Equal(3 * FiveMinutes, report.SettlementInterval); // no telemetry: one interval for the window
    }

    [Theory]
    [InlineData(DispatchDirection.Charge, -1000, -5000, 5, 4)] // import 1 kW -> import 5 kW: 4 kW more charging
    [InlineData(DispatchDirection.Curtail, 5000, 2000, 2, 3)] // export 5 kW -> 2 kW: 3 kW cut
    [InlineData(DispatchDirection.Discharge, -1000, 3000, 3, 4)] // charging 1 kW -> exporting 3 kW: 4 kW swing
    public void Delivery_takes_the_sign_of_the_direction(DispatchDirection direction, double baselineW, double meteredW, double meteredKw, double deliveredKw)
    {
        var input = new SettlementInput("d-3", "zone-a", direction, 0.004, T0, T0 + FiveMinutes, 10m, "EUR",
            [new InstructedSpan("x", "s", "c", 4, T0, T0 + FiveMinutes)],
            [new AssetTelemetry("x", FiveMinutes, [Record("x", T0 - FiveMinutes, FiveMinutes, baselineW), Record("x", T0, FiveMinutes, meteredW)])])
        {
            BaselineIntervals = 1,
        };

        var row = Assert.Single(_builder.Build(input).AssetIntervals);

        Assert.Equal(meteredKw, row.MeteredKw!.Value, Tolerance);
        Assert.Equal(deliveredKw, row.DeliveredKw, Tolerance);
    }

    [Fact]
    public void A_window_off_the_telemetry_grid_counts_records_by_overlap_and_flags_uncovered_time()
    {
        // 17:00:30 to 17:05:30: 4.5 min of the 17:00 record (5 kW) and 0.5 min of the 17:05 one (4 kW); the baseline
        // is the six 5-min intervals before 17:00, the slot holding the window start.
        var input = Input() with { WindowStart = T0.AddSeconds(30), WindowEnd = T0.AddSeconds(330) };

        var a1 = _builder.Build(input).AssetIntervals.Single(r => r.AssetId == "a1");
        Row(a1, 4, (5 * 4.5 + 4 * 0.5) / 5, 1, (5 * 4.5 + 4 * 0.5) / 5 - 1, QualityFlags.None, QualityFlags.None);

        // Without the 17:05 record, its half minute is missing: delivery counts it as zero.
        var gap = input with
        {
            Telemetry = [new AssetTelemetry("a1", FiveMinutes, input.Telemetry[0].ActivePower.Where(r => r.Start != T0 + FiveMinutes).ToList())],
        };
        var row = _builder.Build(gap).AssetIntervals.Single(r => r.AssetId == "a1");
        Row(row, 4, 5, 1, 4 * 4.5 / 5, QualityFlags.Missing, QualityFlags.None);
    }

    [Fact]
    public void Settlement_interval_need_not_divide_the_window_and_totals_weigh_the_short_one()
    {
        var report = _builder.Build(Input() with { SettlementInterval = TimeSpan.FromMinutes(10) });

        Assert.Equal([TimeSpan.FromMinutes(10), FiveMinutes], report.FleetIntervals.Select(r => r.End - r.Start));
        var a1 = report.AssetIntervals.Where(r => r.AssetId == "a1").ToList();
        Assert.Equal([3.5, 4.0], a1.Select(r => r.DeliveredKw), new ToleranceComparer(Tolerance));
        Assert.Equal(11 / 12.0 / 1000, report.Assets.Single(a => a.AssetId == "a1").DeliveredMwh, Tolerance);
    }

    [Fact]
    public void No_baseline_intervals_means_delivery_is_the_metered_power()
    {
        var report = _builder.Build(Input() with { BaselineIntervals = 0 });

        var a1 = report.AssetIntervals.First(r => r.AssetId == "a1");
        Row(a1, 4, 5, 0, 5, QualityFlags.None, QualityFlags.None);
        Assert.StartsWith("none", report.BaselineMethod, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_inputs_are_rejected()
    {
        var good = Input();
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { WindowEnd = good.WindowStart }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { SettlementInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { BaselineIntervals = -1 }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { CapacityPricePerMw = -1 }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { Schedule = [.. good.Schedule, new InstructedSpan("a1", "s1", "basic", 1, T0, T0.AddMinutes(1))] }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { Schedule = [.. good.Schedule, new InstructedSpan("a1", "s1", "premium", 1, T0.AddHours(1), T0.AddHours(2))] }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with { Telemetry = [.. good.Telemetry, good.Telemetry[0]] }));
        Assert.Throws<ArgumentException>(() => _builder.Build(good with
        {
            Telemetry = [new AssetTelemetry("a1", FiveMinutes, [Record("a1", T0, FiveMinutes, 1), Record("a1", T0.AddMinutes(1), FiveMinutes, 1)])],
        }));
    }

    private static void Row(AssetIntervalRow row, double instructed, double? metered, double? baseline, double delivered, QualityFlags flags, QualityFlags baselineFlags)
    {
        Assert.Equal(instructed, row.InstructedKw, Tolerance);
        if (metered is null) Assert.Null(row.MeteredKw); else Assert.Equal(metered.Value, row.MeteredKw!.Value, Tolerance);
        if (baseline is null) Assert.Null(row.BaselineKw); else Assert.Equal(baseline.Value, row.BaselineKw!.Value, Tolerance);
        Assert.Equal(delivered, row.DeliveredKw, Tolerance);
        Assert.Equal((flags, baselineFlags), (row.Flags, row.BaselineFlags));
    }

    private static void Total(double instructedMwh, double deliveredMwh, double? ratio, double instructedKwh, double deliveredKwh)
    {
        Assert.Equal(instructedKwh / 1000, instructedMwh, Tolerance);
        Assert.Equal(deliveredKwh / 1000, deliveredMwh, Tolerance);
        Assert.Equal(deliveredKwh / instructedKwh, ratio!.Value, Tolerance);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}

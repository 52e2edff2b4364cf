using FsCheck;
using FsCheck.Fluent;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;
using static Nexwatt.Collector.Tests.Normalization.TestData;

namespace Nexwatt.Collector.Tests.Normalization;

public class NormalizerTests
{
    private readonly Normalizer _normalizer = new();

    private NormalizedSample Single(Measurement measurement, params IngestedReading[] readings) =>
        Assert.Single(_normalizer.Normalize(readings, Asset(AssetType.SolarPlusStorage)).Samples, s => s.Measurement == measurement);

    [Fact]
    public void Inverter_power_in_kilowatts_becomes_watts_export_positive()
    {
        var sample = Assert.Single(_normalizer.Normalize(Reading(103, "W", 4.2, "kW", 7), Asset()).Samples);
        Assert.Equal(Measurement.ActivePowerW, sample.Measurement);
        Assert.Equal(4_200, sample.Value, 9);
        Assert.Equal(("asset-1", "site-1", 7UL, T0, T0.AddSeconds(1), QualityFlags.None),
            (sample.AssetId, sample.SiteId, sample.Sequence, sample.SourceTime, sample.ReceivedTime, sample.Flags));
    }

    [Fact]
    public void A_source_time_too_far_ahead_of_receipt_is_flagged_future()
    {
        var received = T0;
        var year2977 = new DateTimeOffset(2977, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var far = Assert.Single(_normalizer.Normalize(Reading(103, "W", 100, "W", 1, sourceTime: year2977, receivedTime: received), Asset()).Samples);
        Assert.Equal((QualityFlags.Future, 100.0, year2977), (far.Flags, far.Value, far.SourceTime));

        // Within the default five minutes (clock drift) it is a plain sample; a tighter limit flags it.
        var drift = Reading(103, "W", 100, "W", 2, sourceTime: received.AddMinutes(4), receivedTime: received);
        Assert.Equal(QualityFlags.None, Assert.Single(_normalizer.Normalize(drift, Asset()).Samples).Flags);
        var strict = new Normalizer(new NormalizerOptions { MaximumAheadOfReceipt = TimeSpan.FromMinutes(1) });
        Assert.Equal(QualityFlags.Future, Assert.Single(strict.Normalize(drift, Asset()).Samples).Flags);
    }

    [Fact]
    public void Every_inverter_point_of_a_poll_maps_to_its_measurement()
    {
        var samples = _normalizer.Normalize(
        [
            Reading(103, "W", 5000, "W", 1), Reading(103, "VAr", -300, "var", 2), Reading(103, "VA", 5010, "VA", 3),
            Reading(103, "WH", 12.5, "kWh", 4), Reading(103, "Hz", 50.01, "Hz", 5), Reading(103, "PhVphA", 231.2, "V", 6),
            Reading(103, "A", 21.7, "A", 7), Reading(103, "DCW", 5200, "W", 8),
        ], Asset()).Samples;
        Assert.Equal(
            [(Measurement.ActivePowerW, 5000), (Measurement.ReactivePowerVar, -300), (Measurement.ApparentPowerVa, 5010),
             (Measurement.EnergyExportedWh, 12_500), (Measurement.FrequencyHz, 50.01), (Measurement.VoltageV, 231.2),
             (Measurement.CurrentA, 21.7), (Measurement.DcPowerW, 5200)],
            samples.Select(s => (s.Measurement, s.Value)));
    }

    [Fact]
    public void Canonical_points_of_devices_that_are_not_SunSpec_map_one_to_one_without_a_sign_flip()
    {
        // Model 0: an Enphase gateway's battery or a register-map device, converted and signed by the agent.
        var samples = _normalizer.Normalize(
        [
            Reading(0, "ActivePowerW", -1500, "W", 1), Reading(0, "StateOfChargePct", 64, "Pct", 2),
            Reading(0, "EnergyExportedWh", 3.5, "kWh", 3), Reading(0, "VoltageV", 239.9, "V", 4), Reading(0, "W", 99, "W", 5),
            Reading(0, "EnergyImportedWh", 14153292.251, "Wh", 6),
        ], Asset(AssetType.SolarPlusStorage)).Samples;
        Assert.Equal(
            [(Measurement.ActivePowerW, -1500), (Measurement.EnergyExportedWh, 3_500), (Measurement.StateOfChargePct, 64), (Measurement.VoltageV, 239.9),
             (Measurement.EnergyImportedWh, 14153292.251)],
            samples.Select(s => (s.Measurement, s.Value)).OrderBy(s => s.Measurement));
        Assert.All(Enum.GetValues<Measurement>(), m => Assert.True(Nexwatt.Protos.CanonicalPoints.Units.ContainsKey(m.ToString()), $"{m} has no canonical point"));
    }

    [Fact]
    public void A_battery_serving_ac_and_dc_power_yields_the_ac_value_and_supersedes_the_dc_one()
    {
        // hardware-sim battery: model 103 W and model 802 W, both positive while discharging.
        var result = _normalizer.Normalize([Reading(103, "W", 2500, "W", 1), Reading(802, "W", 2630, "W", 2)], Asset(AssetType.Battery));
        var sample = Assert.Single(result.Samples);
        Assert.Equal(2500, sample.Value);
        Assert.Equal(SkipReason.Superseded, Assert.Single(result.Skipped).Reason);
    }

    [Fact]
    public void Model_802_power_is_discharge_positive_when_it_is_the_only_source()
    {
        Assert.Equal(-2000, Single(Measurement.ActivePowerW, Reading(802, "W", -2000, "W", 1)).Value);
        Assert.Equal(2000, Single(Measurement.ActivePowerW, Reading(802, "W", 2000, "W", 1)).Value);
    }

    [Fact]
    public void A_not_implemented_point_gives_no_sample_and_the_next_source_takes_over()
    {
        var result = _normalizer.Normalize([Reading(103, "W", null, "W", 1, quality: EdgeQuality.NotImplemented), Reading(802, "W", -800, "W", 2)],
            Asset(AssetType.Battery));
        Assert.Equal(-800, Assert.Single(result.Samples).Value);
        Assert.Equal(SkipReason.NotImplemented, Assert.Single(result.Skipped).Reason);
    }

    [Theory]
    [InlineData(new ushort[] { 802, 713, 124 }, 61.5)]
    [InlineData(new ushort[] { 713, 124 }, 62)]
    [InlineData(new ushort[] { 124 }, 63)]
    public void State_of_charge_prefers_802_then_713_then_124(ushort[] models, double expected)
    {
        var readings = models.Select((m, i) => m switch
        {
            802 => Reading(802, "SoC", 61.5, "%WHRtg", (ulong)i),
            713 => Reading(713, "SoC", 62, "Pct", (ulong)i),
            _ => Reading(124, "ChaState", 63, "% AhrRtg", (ulong)i),
        }).ToArray();
        Assert.Equal(expected, Single(Measurement.StateOfChargePct, readings).Value);
    }

    [Fact]
    public void Phases_are_summed_only_when_the_total_is_missing()
    {
        var received = T0.AddSeconds(9);
        var phases = new[]
        {
            Reading(701, "WL1", 1000, "W", 11), Reading(701, "WL2", 1.1, "kW", 12, receivedTime: received), Reading(701, "WL3", 900, "W", 13),
        };
        var sum = Single(Measurement.ActivePowerW, phases);
        Assert.Equal(3000, sum.Value, 9);
        Assert.Equal(11UL, sum.Sequence);
        Assert.Equal(received, sum.ReceivedTime);
        Assert.Equal(QualityFlags.None, sum.Flags);

        var withTotal = _normalizer.Normalize([.. phases, Reading(701, "W", 2990, "W", 14)], Asset(AssetType.SolarPlusStorage));
        Assert.Equal(2990, Assert.Single(withTotal.Samples).Value);
        Assert.All(withTotal.Skipped, s => Assert.Equal(SkipReason.Superseded, s.Reason));
    }

    [Fact]
    public void Phase_currents_and_mppt_modules_are_summed()
    {
        Assert.Equal(30, Single(Measurement.CurrentA, Reading(103, "AphA", 10, "A", 1), Reading(103, "AphB", 10, "A", 2), Reading(103, "AphC", 10, "A", 3)).Value);
        Assert.Equal(3100, Single(Measurement.DcPowerW, Reading(160, "module[0].DCW", 1500, "W", 1), Reading(160, "module[1].DCW", 1600, "W", 2)).Value);
    }

    [Fact]
    public void A_total_with_an_unreadable_part_is_not_produced_as_a_partial_sum()
    {
        var result = _normalizer.Normalize([Reading(701, "WL1", 1000, "W", 1), Reading(701, "WL2", 1000, "kWh", 2)], Asset());
        Assert.Empty(result.Samples);
        Assert.Contains(result.Skipped, s => s.Reading.Sequence == 2 && s.Reason == SkipReason.UnknownUnit);
    }

    [Fact]
    public void Unmapped_text_unknown_unit_and_non_finite_readings_give_no_sample_and_say_why()
    {
        var result = _normalizer.Normalize(
        [
            Reading(103, "TmpCab", 41, "C", 1), Reading(103, "St", null, "", 2), Reading(103, "W", 5, "furlongs", 3),
            Reading(103, "Hz", double.NaN, "Hz", 4),
        ], Asset());
        Assert.Empty(result.Samples);
        Assert.Equal([SkipReason.Unmapped, SkipReason.Unmapped, SkipReason.UnknownUnit, SkipReason.NotFinite],
            result.Skipped.OrderBy(s => s.Reading.Sequence).Select(s => s.Reason));
    }

    [Fact]
    public void A_mapped_point_without_a_number_is_no_value()
    {
        var result = _normalizer.Normalize(Reading(103, "W", null, "W", 1), Asset());
        Assert.Equal(SkipReason.NoValue, Assert.Single(result.Skipped).Reason);
    }

    [Theory]
    [InlineData(11_000, false)]
    [InlineData(11_000.5, true)]
    [InlineData(-11_000, false)]
    [InlineData(-12_000, true)]
    public void Power_beyond_110_percent_of_nameplate_is_kept_and_flagged(double watts, bool flagged)
    {
        var sample = Assert.Single(_normalizer.Normalize(Reading(103, "W", watts, "W", 1), Asset(capacityKw: 10)).Samples);
        Assert.Equal(watts, sample.Value);
        Assert.Equal(flagged ? QualityFlags.OutOfRange : QualityFlags.None, sample.Flags);
    }

    [Theory]
    [InlineData(802, "SoC", 100.0, "%WHRtg", false)]
    [InlineData(802, "SoC", 100.1, "%WHRtg", true)]
    [InlineData(802, "SoC", -0.1, "%WHRtg", true)]
    [InlineData(103, "Hz", 45.0, "Hz", false)]
    [InlineData(103, "Hz", 44.9, "Hz", true)]
    [InlineData(103, "Hz", 65.1, "Hz", true)]
    public void State_of_charge_and_frequency_outside_their_range_are_flagged(ushort model, string point, double value, string unit, bool flagged)
    {
        var sample = Assert.Single(_normalizer.Normalize(Reading(model, point, value, unit, 1), Asset(AssetType.Battery)).Samples);
        Assert.Equal(value, sample.Value);
        Assert.Equal(flagged, sample.Flags.HasFlag(QualityFlags.OutOfRange));
    }

    [Fact]
    public void Readings_of_another_device_are_not_attributed_to_the_asset()
    {
        var result = _normalizer.Normalize([Reading(103, "W", 1, "W", 1, device: "other"), Reading(103, "W", 1, "W", 2, site: "site-2")], Asset());
        Assert.Empty(result.Samples);
        Assert.All(result.Skipped, s => Assert.Equal(SkipReason.OtherDevice, s.Reason));
    }

    [Fact]
    public void Each_poll_gives_its_own_samples_and_history_stays_history()
    {
        var samples = _normalizer.Normalize(
            [Reading(103, "W", 2, "W", 2, T0.AddSeconds(5), historical: true), Reading(103, "W", 1, "W", 1, T0, historical: true)], Asset()).Samples;
        Assert.Equal([1.0, 2.0], samples.Select(s => s.Value));
        Assert.All(samples, s => Assert.True(s.Historical));
    }

    [Fact]
    public void Any_readings_give_at_most_one_finite_sample_per_reading_and_never_throw()
    {
        var models = new ushort[] { 101, 103, 113, 124, 160, 701, 713, 802, 1 };
        var points = new[] { "W", "WL1", "WL2", "SoC", "ChaState", "Hz", "A", "AphA", "module[0].DCW", "module[1].DCW", "DCW", "VAr", "X" };
        var units = new[] { "W", "kW", "", "Wh", "%", "Hz", "A", "bogus" };
        var reading =
            from model in Gen.Elements(models)
            from point in Gen.Elements(points)
            from unit in Gen.Elements(units)
            from value in Gen.OneOf(Gen.Constant<double?>(null), Gen.Choose(-20_000, 20_000).Select(v => (double?)v),
                Gen.Elements<double?>(double.NaN, double.PositiveInfinity, 1e308))
            from second in Gen.Choose(0, 3)
            from quality in Gen.Elements(EdgeQuality.Good, EdgeQuality.Good, EdgeQuality.NotImplemented)
            select (model, point, unit, value, second, quality);
        var batch = Gen.ListOf(reading).Select(list => list.Select((r, i) =>
            Reading(r.model, r.point, r.value, r.unit, (ulong)i, T0.AddSeconds(r.second), r.quality)).ToList());

        Prop.ForAll(batch.ToArbitrary(), readings =>
        {
            var result = _normalizer.Normalize(readings, Asset(AssetType.SolarPlusStorage));
            var perPoll = result.Samples.GroupBy(s => (s.SourceTime, s.Measurement)).All(g => g.Count() == 1);
            return result.Samples.Count <= readings.Count
                && result.Samples.All(s => double.IsFinite(s.Value))
                && result.Samples.Select(s => s.Sequence).Distinct().Count() == result.Samples.Count
                && perPoll
                && result.Skipped.Count + result.Samples.Count <= readings.Count;
        }).QuickCheckThrowOnFailure();
    }
}

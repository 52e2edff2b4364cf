using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Normalization;
using static Nexwatt.Collector.Tests.Normalization.TestData;

namespace Nexwatt.Collector.Tests.Normalization;

/// <summary>Hand-computed expectations on a 5 s interval with a 1 s poll (five coverage slots).</summary>
public class IntervalAggregatorTests
{
    private static readonly TimeSpan Five = TimeSpan.FromSeconds(5);
    private static readonly DateTimeOffset Now = T0.AddMinutes(1);
    private readonly IntervalAggregator _aggregator = new(new AggregationOptions { SamplePeriod = TimeSpan.FromSeconds(1) });

    private static IntervalWindow Window(double fromSeconds = 0, double toSeconds = 15, Measurement measurement = Measurement.ActivePowerW, string? device = null) =>
        new("asset-1", measurement, Five, T0.AddSeconds(fromSeconds), T0.AddSeconds(toSeconds), device);

    private static GapRecord Gap(double fromSeconds, double toSeconds, params string[] devices) =>
        new("site-1", 100, 120, 21, T0.AddSeconds(fromSeconds), T0.AddSeconds(toSeconds), devices, "buffer full");

    [Fact]
    public void Intervals_hold_average_min_max_last_count_and_coverage()
    {
        NormalizedSample[] samples =
        [
            Sample(0.2, 100, 1), Sample(1.2, 200, 2), Sample(2.2, 300, 3), Sample(3.2, 400, 4), Sample(4.2, 500, 5),
            Sample(5.5, 1000, 6), Sample(6.5, 1000, 7),
        ];
        var records = _aggregator.Aggregate(Window(), samples, [], Now);

        Assert.Equal(3, records.Count);
        Assert.Equal(new IntervalRecord("asset-1", Measurement.ActivePowerW, T0, Five, 300, 100, 500, 500, 1.0, 5, QualityFlags.None), records[0]);
        // Two samples in slots 0 and 1 of five: coverage 0.4, under the 0.5 threshold.
        Assert.Equal(new IntervalRecord("asset-1", Measurement.ActivePowerW, T0.AddSeconds(5), Five, 1000, 1000, 1000, 1000, 0.4, 2, QualityFlags.Missing), records[1]);
        // No sample at all: a Missing record, not nothing.
        Assert.Equal(new IntervalRecord("asset-1", Measurement.ActivePowerW, T0.AddSeconds(10), Five, null, null, null, null, 0, 0, QualityFlags.Missing), records[2]);
    }

    [Fact]
    public void An_interval_within_the_closing_grace_is_open_never_missing()
    {
        // One sample so far in [0,5): uploads come in batches, the rest of it may still be on its way.
        var partial = new[] { Sample(0.2, 100, 1), Sample(1.2, 100, 2), Sample(2.2, 110, 3), Sample(3.2, 120, 4), Sample(4.2, 130, 5), Sample(5.5, 200, 6) };
        var atEleven = _aggregator.Aggregate(Window(0, 10), partial, [], T0.AddSeconds(11));
        Assert.Equal(QualityFlags.None | QualityFlags.Open, atEleven[0].Flags);
        Assert.Equal((QualityFlags.Open, 0.2, 1), (atEleven[1].Flags, atEleven[1].Coverage, atEleven[1].SampleCount));

        // An open interval with no sample yet is open too, not missing.
        Assert.Equal(QualityFlags.Open, _aggregator.Aggregate(Window(0, 5), [], [], T0.AddSeconds(6)).Single().Flags);

        // Once the grace (10 s after its end) has passed, the same data is judged: [5,10) is missing.
        var closed = _aggregator.Aggregate(Window(0, 10), partial, [], T0.AddSeconds(20));
        Assert.Equal([QualityFlags.None, QualityFlags.Missing], closed.Select(r => r.Flags));
        Assert.Equal(TimeSpan.FromSeconds(10), _aggregator.ClosingGrace);
    }

    [Fact]
    public void The_window_widens_to_the_grid_and_open_intervals_wait()
    {
        var records = _aggregator.Aggregate(Window(3, 12), [Sample(11, 5, 1)], [], T0.AddSeconds(12));
        // [0,5) and [5,10) have closed at 12 s; [10,15) is still open.
        Assert.Equal([T0, T0.AddSeconds(5)], records.Select(r => r.Start));
        Assert.All(records, r => Assert.Equal(TimeSpan.Zero, r.Start.Offset));
        Assert.Equal(3, _aggregator.Aggregate(Window(3, 12), [], [], T0.AddSeconds(15)).Count);
    }

    [Fact]
    public void Grid_starts_are_multiples_of_the_length_since_the_epoch()
    {
        var fiveMinutes = TimeSpan.FromMinutes(5);
        Assert.Equal(new DateTimeOffset(2026, 6, 21, 12, 5, 0, TimeSpan.Zero), IntervalGrid.Floor(new DateTimeOffset(2026, 6, 21, 14, 9, 59, TimeSpan.FromHours(2)), fiveMinutes));
        Assert.Equal(new DateTimeOffset(1969, 12, 31, 23, 55, 0, TimeSpan.Zero), IntervalGrid.Floor(new DateTimeOffset(1969, 12, 31, 23, 59, 0, TimeSpan.Zero), fiveMinutes));
        Assert.Equal(T0, IntervalGrid.Ceiling(T0, fiveMinutes));
        Assert.Equal(T0.AddMinutes(5), IntervalGrid.Ceiling(T0.AddTicks(1), fiveMinutes));
        // 7 s does not divide a minute: boundaries follow the epoch, not the clock face.
        Assert.Equal(0, (IntervalGrid.Floor(T0, TimeSpan.FromSeconds(7)) - DateTimeOffset.UnixEpoch).Ticks % TimeSpan.FromSeconds(7).Ticks);
    }

    [Theory]
    [InlineData(10.0, false)]
    [InlineData(14.8, false)]
    [InlineData(14.81, true)]
    public void A_sample_received_after_its_interval_end_plus_grace_is_late(double delaySeconds, bool late)
    {
        // Interval [0,5) ends at 5 s; with a 10 s grace, a sample at 0.2 s may arrive until 15 s (a 14.8 s delay).
        var samples = Enumerable.Range(0, 5).Select(i => Sample(i + 0.2, i, (ulong)i, i == 0 ? delaySeconds : 1)).ToArray();
        var record = _aggregator.Aggregate(Window(0, 5), samples, [], Now)[0];
        Assert.Equal(late, record.Flags.HasFlag(QualityFlags.Late));
    }

    [Fact]
    public void A_historical_replay_is_late_whenever_it_arrives()
    {
        var record = _aggregator.Aggregate(Window(0, 5), [Sample(1, 7, 1, receivedDelaySeconds: 0, historical: true)], [], Now)[0];
        Assert.True(record.Flags.HasFlag(QualityFlags.Late));
    }

    [Fact]
    public void A_frozen_nonzero_power_is_stale_but_zero_and_slow_measurements_are_not()
    {
        var frozen = Enumerable.Range(0, 5).Select(i => Sample(i + 0.5, 2500, (ulong)i)).ToArray();
        Assert.True(_aggregator.Aggregate(Window(0, 5), frozen, [], Now)[0].Flags.HasFlag(QualityFlags.Stale));

        var night = Enumerable.Range(0, 5).Select(i => Sample(i + 0.5, 0, (ulong)i)).ToArray();
        Assert.Equal(QualityFlags.None, _aggregator.Aggregate(Window(0, 5), night, [], Now)[0].Flags);

        var soc = Enumerable.Range(0, 5).Select(i => Sample(i + 0.5, 50, (ulong)i, measurement: Measurement.StateOfChargePct)).ToArray();
        Assert.Equal(QualityFlags.None, _aggregator.Aggregate(Window(0, 5, Measurement.StateOfChargePct), soc, [], Now)[0].Flags);

        var twoOnly = new[] { Sample(0.5, 2500, 1), Sample(3.5, 2500, 2) };
        Assert.False(_aggregator.Aggregate(Window(0, 5), twoOnly, [], Now)[0].Flags.HasFlag(QualityFlags.Stale));
    }

    [Fact]
    public void An_edge_gap_flags_every_interval_it_overlaps_and_an_empty_one_is_missing_too()
    {
        var samples = Enumerable.Range(0, 10).Select(i => Sample(i + 0.5, i, (ulong)i)).ToArray();
        var records = _aggregator.Aggregate(Window(device: "inv-1"), samples, [Gap(7, 12, "inv-1"), Gap(0, 15, "battery-9")], Now);
        Assert.Equal([QualityFlags.None, QualityFlags.Gap, QualityFlags.Missing | QualityFlags.Gap], records.Select(r => r.Flags));
    }

    [Fact]
    public void A_gap_without_devices_concerns_every_device_and_touches_an_interval_at_its_start()
    {
        var records = _aggregator.Aggregate(Window(device: "inv-1"), [], [Gap(5, 5)], Now);
        Assert.Equal([QualityFlags.Missing, QualityFlags.Missing | QualityFlags.Gap, QualityFlags.Missing], records.Select(r => r.Flags));
    }

    [Fact]
    public void Sample_flags_carry_over_to_the_interval()
    {
        NormalizedSample[] samples = [Sample(0.5, 1, 1, flags: QualityFlags.OutOfRange), Sample(1.5, 2, 2, flags: QualityFlags.Estimated),
            Sample(2.5, 3, 3), Sample(3.5, 4, 4)];
        Assert.Equal(QualityFlags.OutOfRange | QualityFlags.Estimated, _aggregator.Aggregate(Window(0, 5), samples, [], Now)[0].Flags);
    }

    [Fact]
    public void Duplicates_other_assets_other_measurements_and_outsiders_are_ignored()
    {
        NormalizedSample[] samples =
        [
            Sample(0.5, 10, 1), Sample(0.5, 10, 1), Sample(1.5, 99, 2, asset: "asset-2"),
            Sample(2.5, 99, 3, measurement: Measurement.FrequencyHz), Sample(-0.5, 99, 4), Sample(5.5, 99, 5),
            Sample(3.5, double.NaN, 6),
        ];
        var record = Assert.Single(_aggregator.Aggregate(Window(0, 5), samples, [], Now));
        Assert.Equal((1, 10.0, 10.0), (record.SampleCount, record.Average!.Value, record.Maximum!.Value));
    }

    [Fact]
    public void Without_a_known_poll_period_coverage_follows_the_median_sample_spacing()
    {
        var aggregator = new IntervalAggregator();
        var fourSeconds = new IntervalWindow("asset-1", Measurement.ActivePowerW, TimeSpan.FromSeconds(4), T0, T0.AddSeconds(12));
        // Polled every 2 s against a 4 s interval: two slots per interval, both filled.
        var everyTwo = Enumerable.Range(0, 6).Select(i => Sample(i * 2 + 0.1, i, (ulong)i)).ToArray();
        Assert.All(aggregator.Aggregate(fourSeconds, everyTwo, [], Now), r => Assert.Equal((1.0, QualityFlags.None), (r.Coverage, r.Flags)));
        // Polled every 4 s: one slot, one sample, full coverage.
        var everyFour = Enumerable.Range(0, 3).Select(i => Sample(i * 4 + 0.1, i, (ulong)i)).ToArray();
        Assert.All(aggregator.Aggregate(fourSeconds, everyFour, [], Now), r => Assert.Equal(1.0, r.Coverage));
        // A single sample says nothing about the period: ten slots, coverage 0.1, missing.
        var lone = aggregator.Aggregate(fourSeconds, [Sample(0.1, 1, 1)], [], Now)[0];
        Assert.Equal((0.1, QualityFlags.Missing), (lone.Coverage, lone.Flags));
    }

    [Fact]
    public void The_average_of_equal_values_never_leaves_them()
    {
        var samples = Enumerable.Range(0, 3).Select(i => Sample(i + 0.5, 0.1, (ulong)i)).ToArray();
        var record = _aggregator.Aggregate(Window(0, 5), samples, [], Now)[0];
        Assert.Equal(0.1, record.Average);
    }

    [Fact]
    public void A_window_of_too_many_intervals_or_a_bad_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => _aggregator.Aggregate(
            new IntervalWindow("asset-1", Measurement.ActivePowerW, TimeSpan.FromSeconds(1), T0, T0.AddDays(2)), [], [], Now));
        Assert.Throws<ArgumentOutOfRangeException>(() => _aggregator.Aggregate(
            new IntervalWindow("asset-1", Measurement.ActivePowerW, TimeSpan.Zero, T0, T0), [], [], Now));
        Assert.Throws<ArgumentException>(() => _aggregator.Aggregate(Window(10, 0), [], [], Now));
    }

    [Fact]
    public void Options_out_of_range_are_refused_at_construction()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalAggregator(new AggregationOptions { MissingCoverageThreshold = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new IntervalAggregator(new AggregationOptions { MaximumSlotsPerInterval = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Normalizer(new NormalizerOptions { PowerMarginFactor = 0.9 }));
    }
}

using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

public abstract partial class CollectorStoreTests
{
    [Fact]
    public async Task Gaps_round_trip_and_are_found_by_overlap()
    {
        var first = new GapRecord("site-a", 100, 199, 100, T0, T0.AddHours(1), ["inverter-1", "battery,1"], "buffer full");
        var second = new GapRecord("site-a", ulong.MaxValue - 10, ulong.MaxValue, 11, T0.AddHours(2), T0.AddHours(3), [], "unreadable chunk");
        var otherSite = new GapRecord("site-b", 100, 199, 100, T0, T0.AddHours(1), ["meter"], "buffer full");
        await Store.InsertGapsAsync([first, second, otherSite], Ct);
        await Store.InsertGapsAsync([first], Ct); // redelivered announcement

        var all = await Store.GetGapsAsync("site-a", T0.AddDays(-1), T0.AddDays(1), Ct);
        Assert.Equal(2, all.Count);
        AssertGap(first, all[0]);
        AssertGap(second, all[1]);
        // [from, to): the second gap starts exactly at "to" and is left out; the first ends inside the range.
        Assert.Equal([100UL], (await Store.GetGapsAsync("site-a", T0.AddMinutes(30), T0.AddHours(2), Ct)).Select(g => g.FirstSequence));
        Assert.Equal(2, (await Store.GetGapsAsync("site-a", T0.AddHours(1), T0.AddHours(2).AddTicks(10), Ct)).Count);
        Assert.Empty(await Store.GetGapsAsync("site-a", T0.AddHours(4), T0.AddHours(5), Ct));
    }

    [Fact]
    public async Task Samples_round_trip_in_time_order_within_the_range()
    {
        var late = Sample("pv-1", Measurement.ActivePowerW, 900, T0.AddSeconds(5), 3, flags: QualityFlags.Late | QualityFlags.Estimated, historical: true);
        var early = Sample("pv-1", Measurement.ActivePowerW, 1000.25, T0, 7);
        var outside = Sample("pv-1", Measurement.ActivePowerW, 5, T0.AddSeconds(10), 9);
        var otherMeasurement = Sample("pv-1", Measurement.FrequencyHz, 60.01, T0, 7);
        var otherAsset = Sample("pv-2", Measurement.ActivePowerW, 1, T0, 8);
        await Store.InsertSamplesAsync([late, early, outside, otherMeasurement, otherAsset], Ct);

        var samples = await Store.GetSamplesAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddSeconds(10), Ct);

        Assert.Equal([early, late], samples);
    }

    [Fact]
    public async Task Redelivered_samples_are_stored_once()
    {
        var samples = Enumerable.Range(1, 20).Select(i => Sample("pv-1", Measurement.ActivePowerW, i, T0.AddSeconds(i), (ulong)i)).ToList();
        await Store.InsertSamplesAsync(samples, Ct);
        await Store.InsertSamplesAsync([.. samples.Skip(10), samples[0], samples[0]], Ct);

        Assert.Equal(20, (await Store.GetSamplesAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddHours(1), Ct)).Count);
    }

    [Fact]
    public async Task Latest_is_the_newest_sample_per_measurement_and_a_backlog_never_rolls_it_back()
    {
        await Store.InsertSamplesAsync(
        [
            Sample("bess-1", Measurement.ActivePowerW, -2000, T0, 1),
            Sample("bess-1", Measurement.ActivePowerW, -2500, T0.AddSeconds(5), 2),
            Sample("bess-1", Measurement.StateOfChargePct, 41.5, T0.AddSeconds(5), 2, flags: QualityFlags.Estimated),
            Sample("pv-9", Measurement.ActivePowerW, 7, T0.AddSeconds(9), 3),
        ], Ct);
        // A replayed backlog arrives after live data: older, it must not replace the latest value.
        await Store.InsertSamplesAsync([Sample("bess-1", Measurement.ActivePowerW, 100, T0.AddSeconds(-60), 0, historical: true)], Ct);

        var latest = await Store.GetLatestAsync("bess-1", Ct);

        Assert.Equal(
            [
                new LatestValue("bess-1", Measurement.ActivePowerW, -2500, T0.AddSeconds(5), QualityFlags.None),
                new LatestValue("bess-1", Measurement.StateOfChargePct, 41.5, T0.AddSeconds(5), QualityFlags.Estimated),
            ],
            latest.OrderBy(l => l.Measurement));
        await Store.InsertSamplesAsync([Sample("bess-1", Measurement.ActivePowerW, -1000, T0.AddSeconds(10), 4)], Ct);
        Assert.Equal(-1000, (await Store.GetLatestAsync("bess-1", Ct)).Single(l => l.Measurement == Measurement.ActivePowerW).Value);
        Assert.Empty(await Store.GetLatestAsync("unknown", Ct));
    }

    [Fact]
    public async Task Intervals_round_trip_and_an_upsert_replaces_the_interval()
    {
        var first = Interval("pv-1", Measurement.ActivePowerW, T0, 1000);
        var second = Interval("pv-1", Measurement.ActivePowerW, T0.AddMinutes(5), null, QualityFlags.Missing) with { Coverage = 0, SampleCount = 0 };
        var otherMeasurement = Interval("pv-1", Measurement.VoltageV, T0, 240);
        await Store.UpsertIntervalsAsync([first, second, otherMeasurement], Ct);
        Assert.Equal([first, second], await Store.GetIntervalsAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddMinutes(10), Ct));

        // Late data recomputes the first interval; a key twice in one batch keeps the last version.
        var recomputed = first with { Average = 1100, Maximum = 1500, SampleCount = 61, Coverage = 0.8, Flags = QualityFlags.Late };
        await Store.UpsertIntervalsAsync([first with { Average = 1 }, recomputed], Ct);

        Assert.Equal([recomputed, second], await Store.GetIntervalsAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddMinutes(10), Ct));
        Assert.Equal([recomputed], await Store.GetIntervalsAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddMinutes(5), Ct));
        Assert.Equal([otherMeasurement], await Store.GetIntervalsAsync("pv-1", Measurement.VoltageV, T0, T0.AddMinutes(10), Ct));
    }

    [Fact]
    public async Task Concurrent_sample_and_interval_batches_do_not_deadlock()
    {
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var samples = Enumerable.Range(0, 200).Select(j => Sample($"asset-{j % 20}", Measurement.ActivePowerW, i * 1000 + j, T0.AddSeconds(i * 200 + j), (ulong)(i * 100 + j))).ToList();
            if (i % 2 == 1) samples.Reverse();
            await Store.InsertSamplesAsync(samples, Ct);
            var intervals = Enumerable.Range(0, 20).Select(j => Interval($"asset-{j}", Measurement.ActivePowerW, T0, i)).ToList();
            if (i % 2 == 1) intervals.Reverse();
            await Store.UpsertIntervalsAsync(intervals, Ct);
        }));

        await Task.WhenAll(tasks);

        Assert.Equal(900, await ScalarAsync("SELECT count(*) FROM samples"));
        Assert.Equal(20, await ScalarAsync("SELECT count(*) FROM intervals"));
        Assert.Equal(20, await ScalarAsync("SELECT count(*) FROM latest"));
    }

    private static void AssertGap(GapRecord expected, GapRecord actual)
    {
        Assert.Equal(expected with { DeviceIds = [] }, actual with { DeviceIds = [] });
        Assert.Equal(expected.DeviceIds, actual.DeviceIds);
    }
}

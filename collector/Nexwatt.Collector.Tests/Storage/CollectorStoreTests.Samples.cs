using Nexwatt.Collector.Domain;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Storage;

// Samples batches as ingest writes them. In PostgreSQL a batch with distinct keys and nothing stored in its sites'
// sequence ranges is copied straight into the table, anything else is staged: these cases cover both paths.
public abstract partial class CollectorStoreTests
{
    [Fact]
    public async Task A_new_samples_batch_is_stored_once_with_every_column()
    {
        var batch = Enumerable.Range(1, 50).Select(i => Sample("bess-1", Measurement.ActivePowerW, -i, T0.AddSeconds(i), (ulong)i)).ToList();
        batch[1] = Sample("bess-1", Measurement.StateOfChargePct, 41.5, T0.AddSeconds(2).AddTicks(10), 2,
            flags: QualityFlags.OutOfRange | QualityFlags.Estimated, historical: true);

        await Store.InsertSamplesAsync(batch, Ct);
        await Store.InsertSamplesAsync(batch, Ct);

        Assert.Equal(50, await ScalarAsync("SELECT count(*) FROM samples"));
        Assert.Equal(1, await ScalarAsync("""
            SELECT count(*) FROM samples WHERE site_id = 'site-a' AND sequence = 2 AND measurement = 5 AND asset_id = 'bess-1'
            AND value = 41.5 AND flags = 40 AND historical
            """));
        var t0Micros = (T0 - DateTimeOffset.UnixEpoch).Ticks / 10;
        Assert.Equal(t0Micros + 2_000_001, await ScalarAsync("SELECT source_time FROM samples WHERE sequence = 2"));
        Assert.Equal(t0Micros + 2_250_001, await ScalarAsync("SELECT received_time FROM samples WHERE sequence = 2"));
        Assert.Equal(49, await ScalarAsync("SELECT count(*) FROM samples WHERE measurement = 1 AND flags = 0 AND NOT historical"));
        Assert.Equal(batch.Where(s => s.Measurement == Measurement.ActivePowerW),
            await Store.GetSamplesAsync("bess-1", Measurement.ActivePowerW, T0, T0.AddHours(1), Ct));
        Assert.Equal(
            [
                new LatestValue("bess-1", Measurement.ActivePowerW, -50, T0.AddSeconds(50), QualityFlags.None),
                new LatestValue("bess-1", Measurement.StateOfChargePct, 41.5, T0.AddSeconds(2).AddTicks(10), QualityFlags.OutOfRange | QualityFlags.Estimated),
            ],
            await Store.GetLatestAsync("bess-1", Ct));
    }

    [Fact]
    public async Task Samples_of_one_sequence_with_different_measurements_are_all_stored()
    {
        // The key is (site, sequence, measurement): one sequence may carry several measurements.
        IReadOnlyList<NormalizedSample> batch =
        [
            Sample("pv-1", Measurement.ActivePowerW, 1, T0, 1), Sample("pv-1", Measurement.FrequencyHz, 60, T0, 1),
            Sample("pv-1", Measurement.ActivePowerW, 2, T0.AddSeconds(1), 2), Sample("pv-1", Measurement.FrequencyHz, 60.1, T0.AddSeconds(1), 2),
        ];

        await Store.InsertSamplesAsync(batch, Ct);
        await Store.InsertSamplesAsync(batch, Ct);

        Assert.Equal(4, await ScalarAsync("SELECT count(*) FROM samples"));
    }

    [Fact]
    public async Task A_key_twice_in_one_samples_batch_is_stored_once()
    {
        var one = Sample("pv-1", Measurement.ActivePowerW, 1, T0, 1);
        var two = Sample("pv-1", Measurement.ActivePowerW, 2, T0.AddSeconds(1), 2);
        var three = Sample("pv-1", Measurement.ActivePowerW, 3, T0.AddSeconds(2), 3);

        await Store.InsertSamplesAsync([one, two, two, three], Ct); // in order, the repeat next to itself
        await Store.InsertSamplesAsync([Sample("pv-1", Measurement.ActivePowerW, 5, T0.AddSeconds(5), 5), one with { Sequence = 4 }, one with { Sequence = 4 }], Ct);

        Assert.Equal(5, await ScalarAsync("SELECT count(*) FROM samples"));
    }

    [Fact]
    public async Task An_overlapping_samples_batch_stores_only_the_missing_ones()
    {
        await Store.InsertSamplesAsync(
        [
            Sample("pv-1", Measurement.ActivePowerW, 500, T0.AddSeconds(5), 5),
            Sample("pv-1", Measurement.FrequencyHz, 60, T0.AddSeconds(7), 7),
            Sample("pv-1", Measurement.ActivePowerW, 900, T0.AddSeconds(9), 9),
        ], Ct);
        // In sequence order like a first delivery, yet its range holds samples stored before (a re-chunked resend).
        var resend = Enumerable.Range(1, 10).Select(i => Sample("pv-1", Measurement.ActivePowerW, i, T0.AddSeconds(i), (ulong)i)).ToList();

        await Store.InsertSamplesAsync(resend, Ct);

        Assert.Equal(11, await ScalarAsync("SELECT count(*) FROM samples"));
        var power = await Store.GetSamplesAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddHours(1), Ct);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), power.Select(s => s.Sequence));
        Assert.Equal([500.0, 900.0], power.Where(s => s.Sequence is 5 or 9).Select(s => s.Value)); // the first stored stays
        Assert.Equal(10, (await Store.GetLatestAsync("pv-1", Ct)).Single(l => l.Measurement == Measurement.ActivePowerW).Value);
    }

    [Fact]
    public async Task A_samples_batch_of_two_sites_stores_what_each_site_lacks()
    {
        await Store.InsertSamplesAsync([Sample("pv-b", Measurement.ActivePowerW, 2, T0.AddSeconds(2), 2, site: "site-b")], Ct);
        // The sites interleave, each in sequence order; the same sequences in both sites are distinct keys.
        var mixed = Enumerable.Range(1, 3).SelectMany(i => new[]
        {
            Sample("pv-a", Measurement.ActivePowerW, i, T0.AddSeconds(i), (ulong)i, site: "site-a"),
            Sample("pv-b", Measurement.ActivePowerW, i, T0.AddSeconds(i), (ulong)i, site: "site-b"),
        }).ToList();

        await Store.InsertSamplesAsync(mixed, Ct);

        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM samples WHERE site_id = 'site-a'"));
        Assert.Equal(3, await ScalarAsync("SELECT count(*) FROM samples WHERE site_id = 'site-b'"));
        // A new batch of both sites, nothing stored in either range yet.
        await Store.InsertSamplesAsync([.. mixed.Select(s => s with { Sequence = s.Sequence + 10 })], Ct);
        Assert.Equal(12, await ScalarAsync("SELECT count(*) FROM samples"));
    }

    [Fact]
    public async Task Samples_of_several_devices_of_one_site_are_stored_once_each()
    {
        // As ingest builds a batch: each device's samples in time order, one device after the other, so the site's
        // sequences interleave.
        IReadOnlyList<NormalizedSample> batch =
        [
            .. new[] { 1, 3, 5 }.Select(i => Sample("pv-1", Measurement.ActivePowerW, i, T0.AddSeconds(i), (ulong)i)),
            .. new[] { 2, 4, 6 }.Select(i => Sample("bess-1", Measurement.StateOfChargePct, 50 + i, T0.AddSeconds(i), (ulong)i)),
        ];

        await Store.InsertSamplesAsync(batch, Ct);
        await Store.InsertSamplesAsync(batch, Ct);

        Assert.Equal(6, await ScalarAsync("SELECT count(*) FROM samples"));
        Assert.Equal(56, Assert.Single(await Store.GetLatestAsync("bess-1", Ct)).Value);
        Assert.Equal(5, Assert.Single(await Store.GetLatestAsync("pv-1", Ct)).Value);
    }

    [Fact]
    public async Task Concurrent_overlapping_samples_batches_store_each_sample_once()
    {
        // Eight writers, each batch overlapping its neighbours by half, in both key orders, two measurements per sequence.
        var batches = Enumerable.Range(0, 8).Select(i =>
        {
            var samples = Enumerable.Range(i * 500 + 1, 1000).SelectMany(n => new[]
            {
                Sample("pv-1", Measurement.ActivePowerW, n, T0.AddSeconds(n), (ulong)n),
                Sample("pv-1", Measurement.VoltageV, 230 + n % 7, T0.AddSeconds(n), (ulong)n),
            }).ToList();
            if (i % 2 == 1) samples.Reverse();
            return samples;
        }).ToList();

        await Task.WhenAll(batches.Select(b => Task.Run(() => Store.InsertSamplesAsync(b, Ct))));

        Assert.Equal(9000, await ScalarAsync("SELECT count(*) FROM samples"));
        Assert.Equal(4500, await ScalarAsync("SELECT count(DISTINCT sequence) FROM samples"));
        var latest = await Store.GetLatestAsync("pv-1", Ct);
        Assert.Equal([(Measurement.ActivePowerW, 4500.0), (Measurement.VoltageV, 236.0)], latest.Select(l => (l.Measurement, l.Value)));
        Assert.All(latest, l => Assert.Equal(T0.AddSeconds(4500), l.SourceTime));
    }

    [Fact]
    public async Task A_sample_flagged_future_is_stored_but_never_becomes_latest()
    {
        var year2977 = new DateTimeOffset(2977, 1, 1, 0, 0, 0, TimeSpan.Zero);
        // First delivery (PostgreSQL's copy path): the future sample is stored, the present one is latest.
        await Store.InsertSamplesAsync(
        [
            Sample("pv-1", Measurement.ActivePowerW, 5, T0, 1),
            Sample("pv-1", Measurement.ActivePowerW, 9999, year2977, 2, flags: QualityFlags.Future),
        ], Ct);
        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM samples"));
        Assert.Equal((5.0, T0), await LatestPowerAndTimeAsync());

        // A batch with a key already stored (PostgreSQL stages it and merges latest in SQL): same rule.
        await Store.InsertSamplesAsync(
        [
            Sample("pv-1", Measurement.ActivePowerW, 9999, year2977, 2, flags: QualityFlags.Future),
            Sample("pv-1", Measurement.ActivePowerW, 8888, year2977.AddDays(1), 3, flags: QualityFlags.Future),
            Sample("pv-1", Measurement.ActivePowerW, 6, T0.AddSeconds(5), 4),
        ], Ct);
        Assert.Equal((6.0, T0.AddSeconds(5)), await LatestPowerAndTimeAsync());

        // A batch of future samples alone leaves latest as it was, and a newer present sample still replaces it.
        await Store.InsertSamplesAsync([Sample("pv-1", Measurement.ActivePowerW, 7777, year2977, 5, flags: QualityFlags.Future)], Ct);
        await Store.InsertSamplesAsync([Sample("pv-1", Measurement.ActivePowerW, 7, T0.AddSeconds(10), 6)], Ct);
        Assert.Equal((7.0, T0.AddSeconds(10)), await LatestPowerAndTimeAsync());
        Assert.Equal(3, await ScalarAsync($"SELECT count(*) FROM samples WHERE flags = {(int)QualityFlags.Future}"));
    }

    [Fact]
    public async Task Latest_values_pinned_in_the_future_are_forgotten_and_set_again_by_the_next_sample()
    {
        // As left by a collector that did not flag future readings yet.
        await Store.InsertSamplesAsync([Sample("pv-1", Measurement.ActivePowerW, 9999, new DateTimeOffset(2977, 1, 1, 0, 0, 0, TimeSpan.Zero), 1)], Ct);
        await Store.InsertSamplesAsync([Sample("bess-1", Measurement.StateOfChargePct, 50, T0, 2)], Ct);

        Assert.Equal(1, await Store.ForgetLatestAfterAsync(T0.AddDays(1), Ct));
        Assert.Empty(await Store.GetLatestAsync("pv-1", Ct));
        Assert.Single(await Store.GetLatestAsync("bess-1", Ct));
        Assert.Equal(1, await ScalarAsync("SELECT count(*) FROM samples WHERE asset_id = 'pv-1'"));

        await Store.InsertSamplesAsync([Sample("pv-1", Measurement.ActivePowerW, 5, T0, 3)], Ct);
        Assert.Equal((5.0, T0), await LatestPowerAndTimeAsync());
        Assert.Equal(0, await Store.ForgetLatestAfterAsync(T0.AddDays(1), Ct));
    }

    private async Task<(double, DateTimeOffset)> LatestPowerAndTimeAsync()
    {
        var latest = Assert.Single(await Store.GetLatestAsync("pv-1", Ct));
        return (latest.Value, latest.SourceTime);
    }

    [Fact]
    public async Task Latest_keeps_the_newest_value_when_a_batch_of_older_samples_arrives_later()
    {
        await Store.InsertSamplesAsync([.. Enumerable.Range(100, 11).Select(i => Sample("pv-1", Measurement.ActivePowerW, i, T0.AddSeconds(i), (ulong)i))], Ct);
        // A replayed backlog: new keys (lower sequences), older times.
        await Store.InsertSamplesAsync([.. Enumerable.Range(1, 10).Select(i => Sample("pv-1", Measurement.ActivePowerW, -i, T0.AddSeconds(i), (ulong)i, historical: true))], Ct);

        Assert.Equal(21, await ScalarAsync("SELECT count(*) FROM samples"));
        var latest = Assert.Single(await Store.GetLatestAsync("pv-1", Ct));
        Assert.Equal((110.0, T0.AddSeconds(110)), (latest.Value, latest.SourceTime));
    }

    [Fact]
    public async Task Within_one_batch_the_newest_sample_sets_latest_whatever_its_place()
    {
        // The newest by source time is in the middle, neither first nor last by sequence.
        await Store.InsertSamplesAsync(
        [
            Sample("pv-1", Measurement.ActivePowerW, 1, T0.AddSeconds(5), 1),
            Sample("pv-1", Measurement.ActivePowerW, 2, T0.AddSeconds(9), 2),
            Sample("pv-1", Measurement.ActivePowerW, 3, T0.AddSeconds(7), 3),
        ], Ct);
        Assert.Equal(2, await LatestPowerAsync());

        // Equal source times: the higher sequence wins, here first in the batch (new keys only).
        await Store.InsertSamplesAsync([Sample("pv-1", Measurement.ActivePowerW, 11, T0.AddSeconds(20), 11), Sample("pv-1", Measurement.ActivePowerW, 10, T0.AddSeconds(20), 10)], Ct);
        Assert.Equal(11, await LatestPowerAsync());

        // The same with a key already stored in the batch (PostgreSQL stages it).
        await Store.InsertSamplesAsync(
        [
            Sample("pv-1", Measurement.ActivePowerW, 21, T0.AddSeconds(30), 21),
            Sample("pv-1", Measurement.ActivePowerW, 3, T0.AddSeconds(7), 3),
            Sample("pv-1", Measurement.ActivePowerW, 20, T0.AddSeconds(30), 20),
        ], Ct);
        Assert.Equal(21, await LatestPowerAsync());
        Assert.Equal(7, await ScalarAsync("SELECT count(*) FROM samples"));
    }

    private async Task<double> LatestPowerAsync() =>
        (await Store.GetLatestAsync("pv-1", Ct)).Single(l => l.Measurement == Measurement.ActivePowerW).Value;
}

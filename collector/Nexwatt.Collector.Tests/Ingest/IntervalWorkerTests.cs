using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Collector.Domain;
using Nexwatt.Collector.Ingest;
using Nexwatt.Collector.Normalization;
using Nexwatt.Collector.Storage.Sqlite;
using Nexwatt.Testing;
using static Nexwatt.Collector.Tests.Storage.StoreData;

namespace Nexwatt.Collector.Tests.Ingest;

/// <summary>The interval worker on the embedded store and a fake clock: what an operator reads while intervals close.</summary>
public sealed class IntervalWorkerTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("nexwatt-worker-").FullName;
    private readonly FakeTimeProvider _time = new(T0);
    private readonly DirtyIntervals _dirty = new();
    private SqliteCollectorStore _store = null!;
    private IntervalWorker _worker = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteCollectorStore(Path.Combine(_folder, "collector.db"), NullLogger<SqliteCollectorStore>.Instance);
        await _store.InitializeAsync(CancellationToken.None);
        await _store.UpsertAssetAsync(Asset("pv-1", site: "site-a", device: "inv-1"), CancellationToken.None);
        _worker = new IntervalWorker(_store, new IntervalAggregator(), _dirty, _time, NullLogger<IntervalWorker>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    // One sample a second, uploaded in batches that arrive a few seconds after they were measured.
    private async Task IngestAsync(int fromSecond, int toSecond)
    {
        var samples = Enumerable.Range(fromSecond, toSecond - fromSecond)
            .Select(i => Sample("pv-1", Measurement.ActivePowerW, 100 + i, T0.AddSeconds(i), (ulong)i + 1, site: "site-a")).ToList();
        await _store.InsertSamplesAsync(samples, CancellationToken.None);
        _dirty.Mark("pv-1", Measurement.ActivePowerW, samples[0].SourceTime, samples[^1].SourceTime);
    }

    private async Task<IReadOnlyList<IntervalRecord>> IntervalsAsync() =>
        await _store.GetIntervalsAsync("pv-1", Measurement.ActivePowerW, T0, T0.AddMinutes(1), CancellationToken.None);

    [Fact]
    public async Task Intervals_still_receiving_samples_are_open_then_complete_never_missing()
    {
        // At 16 s the samples of 0..10 s have arrived and one of [10,15) so far: the three 5 s intervals have ended.
        await IngestAsync(0, 11);
        _time.Advance(TimeSpan.FromSeconds(16));
        await _worker.RecomputeDirtyAsync(CancellationToken.None);
        var early = await IntervalsAsync();
        Assert.Equal(3, early.Count);
        Assert.All(early, i => Assert.False(i.Flags.HasFlag(QualityFlags.Missing), $"{i.Start:O} is {i.Flags}"));
        Assert.Equal((QualityFlags.Open, 0.2), (early[2].Flags, early[2].Coverage));

        // The rest arrives; once the grace has passed every interval is written closed, complete, without a new sample.
        await IngestAsync(11, 30);
        await _worker.RecomputeDirtyAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await _worker.RecomputeDirtyAsync(CancellationToken.None);
        await _worker.RecomputeDirtyAsync(CancellationToken.None);
        var closed = await IntervalsAsync();
        Assert.Equal(6, closed.Count);
        Assert.All(closed, i => Assert.Equal((QualityFlags.None, 1.0), (i.Flags, i.Coverage)));
    }

    [Fact]
    public async Task A_silent_asset_is_swept_missing_only_once_its_intervals_have_closed()
    {
        await IngestAsync(0, 5);
        _time.Advance(TimeSpan.FromSeconds(12));
        await _worker.RecomputeDirtyAsync(CancellationToken.None);
        await _worker.SweepSilentAssetsAsync(CancellationToken.None);
        // [5,10) ended 2 s ago: within the grace it is not yet judged.
        Assert.DoesNotContain(await IntervalsAsync(), i => i.Flags.HasFlag(QualityFlags.Missing));

        _time.Advance(TimeSpan.FromSeconds(20));
        await _worker.RecomputeDirtyAsync(CancellationToken.None);
        await _worker.SweepSilentAssetsAsync(CancellationToken.None);
        var intervals = await IntervalsAsync();
        Assert.Equal(QualityFlags.None, intervals[0].Flags);
        Assert.All(intervals.Skip(1), i => Assert.Equal(QualityFlags.Missing, i.Flags));
        Assert.Equal(T0.AddSeconds(15), intervals[^1].Start); // up to the last closed one (32 s - 10 s grace)
    }
}

using System.Text.Json;
using Nexwatt.Collector.Domain;
using Nexwatt.Data.Sqlite;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Sqlite;

// Readings, gaps, samples, intervals and latest values: each batch is one transaction with a prepared statement
// reused per row.
public sealed partial class SqliteCollectorStore
{
    public async Task<int> InsertReadingsAsync(IReadOnlyList<IngestedReading> readings, CancellationToken cancellationToken)
    {
        if (readings.Count == 0) return 0;
        var inserted = await WriteAsync((db, statements) =>
        {
            var count = 0;
            using var transaction = db.BeginTransaction();
            var insert = statements.InsertReading;
            for (var i = 0; i < readings.Count; i++)
            {
                CheckCancellation(i, cancellationToken);
                var r = readings[i];
                insert.Bind(1, r.SiteId).Bind(2, ToColumn(r.Sequence)).Bind(3, r.DeviceId).Bind(4, r.ModelId).Bind(5, r.ModelInstance)
                    .Bind(6, r.Point).BindOrNull(7, r.Value).BindOrNull(8, r.Text).Bind(9, r.Unit).Bind(10, (long)r.Quality)
                    .Bind(11, ToMicroseconds(r.SourceTime)).Bind(12, ToMicroseconds(r.ReceivedTime)).Bind(13, r.Historical ? 1L : 0L)
                    .Run();
                count += db.Changes;
            }
            transaction.Commit();
            return count;
        }, cancellationToken).ConfigureAwait(false);
        StorageLog.ReadingsStored(_logger, inserted, readings.Count, readings.Count - inserted);
        return inserted;
    }

    public Task InsertGapsAsync(IReadOnlyList<GapRecord> gaps, CancellationToken cancellationToken)
    {
        if (gaps.Count == 0) return Task.CompletedTask;
        return WriteAsync((db, statements) =>
        {
            using var transaction = db.BeginTransaction();
            foreach (var g in gaps)
            {
                statements.InsertGap.Bind(1, g.SiteId).Bind(2, ToColumn(g.FirstSequence)).Bind(3, ToColumn(g.LastSequence))
                    .Bind(4, ToColumn(g.ReadingsLost)).Bind(5, ToMicroseconds(g.From)).Bind(6, ToMicroseconds(g.To))
                    .Bind(7, JsonSerializer.Serialize(g.DeviceIds)).Bind(8, g.Reason).Run();
            }
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<GapRecord>> GetGapsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<GapRecord>>(db =>
        {
            // Every gap that overlaps [from, to).
            using var query = db.Prepare("""
                SELECT first_sequence, last_sequence, readings_lost, from_time, to_time, device_ids, reason FROM gaps
                WHERE site_id = ?1 AND to_time >= ?2 AND from_time < ?3 ORDER BY from_time, first_sequence
                """);
            query.Bind(1, siteId).Bind(2, ToMicroseconds(from)).Bind(3, ToMicroseconds(to));
            var gaps = new List<GapRecord>();
            while (query.Step())
            {
                gaps.Add(new GapRecord(siteId, SequenceFromColumn(query.Int64(0)), SequenceFromColumn(query.Int64(1)),
                    SequenceFromColumn(query.Int64(2)), FromMicroseconds(query.Int64(3)), FromMicroseconds(query.Int64(4)),
                    JsonSerializer.Deserialize<string[]>(query.Text(5) ?? "[]") ?? [], query.Text(6) ?? ""));
            }
            return gaps;
        }, cancellationToken);

    public Task InsertSamplesAsync(IReadOnlyList<NormalizedSample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0) return Task.CompletedTask;
        var newest = StorageBatches.NewestPerMeasurement(samples);
        return WriteAsync((db, statements) =>
        {
            using var transaction = db.BeginTransaction();
            for (var i = 0; i < samples.Count; i++)
            {
                CheckCancellation(i, cancellationToken);
                var s = samples[i];
                statements.InsertSample.Bind(1, s.SiteId).Bind(2, ToColumn(s.Sequence)).Bind(3, ToCode(s.Measurement)).Bind(4, s.AssetId)
                    .Bind(5, s.Value).Bind(6, ToMicroseconds(s.SourceTime)).Bind(7, ToMicroseconds(s.ReceivedTime))
                    .Bind(8, (long)s.Flags).Bind(9, s.Historical ? 1L : 0L).Run();
            }
            foreach (var s in newest)
            {
                statements.UpsertLatest.Bind(1, s.AssetId).Bind(2, ToCode(s.Measurement)).Bind(3, s.Value)
                    .Bind(4, ToMicroseconds(s.SourceTime)).Bind(5, (long)s.Flags).Run();
            }
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<NormalizedSample>> GetSamplesAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<NormalizedSample>>(db =>
        {
            using var query = db.Prepare("""
                SELECT value, source_time, received_time, flags, site_id, sequence, historical FROM samples
                WHERE asset_id = ?1 AND measurement = ?2 AND source_time >= ?3 AND source_time < ?4
                ORDER BY source_time, site_id, sequence
                """);
            query.Bind(1, assetId).Bind(2, ToCode(measurement)).Bind(3, ToMicroseconds(from)).Bind(4, ToMicroseconds(to));
            var samples = new List<NormalizedSample>();
            while (query.Step())
            {
                samples.Add(new NormalizedSample(assetId, measurement, query.Double(0), FromMicroseconds(query.Int64(1)),
                    FromMicroseconds(query.Int64(2)), (QualityFlags)query.Int64(3), query.Text(4) ?? "",
                    SequenceFromColumn(query.Int64(5)), query.Int64(6) != 0));
            }
            return samples;
        }, cancellationToken);

    public Task UpsertIntervalsAsync(IReadOnlyList<IntervalRecord> intervals, CancellationToken cancellationToken)
    {
        if (intervals.Count == 0) return Task.CompletedTask;
        return WriteAsync((db, statements) =>
        {
            using var transaction = db.BeginTransaction();
            for (var i = 0; i < intervals.Count; i++)
            {
                CheckCancellation(i, cancellationToken);
                var v = intervals[i];
                statements.UpsertInterval.Bind(1, v.AssetId).Bind(2, ToCode(v.Measurement)).Bind(3, ToMicroseconds(v.Start))
                    .Bind(4, ToMicroseconds(v.Length)).BindOrNull(5, v.Average).BindOrNull(6, v.Minimum).BindOrNull(7, v.Maximum)
                    .BindOrNull(8, v.Last).Bind(9, v.Coverage).Bind(10, v.SampleCount).Bind(11, (long)v.Flags).Run();
            }
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<IntervalRecord>> GetIntervalsAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<IntervalRecord>>(db =>
        {
            using var query = db.Prepare("""
                SELECT start_time, length_us, average, minimum, maximum, last, coverage, sample_count, flags FROM intervals
                WHERE asset_id = ?1 AND measurement = ?2 AND start_time >= ?3 AND start_time < ?4 ORDER BY start_time
                """);
            query.Bind(1, assetId).Bind(2, ToCode(measurement)).Bind(3, ToMicroseconds(from)).Bind(4, ToMicroseconds(to));
            var intervals = new List<IntervalRecord>();
            while (query.Step())
            {
                intervals.Add(new IntervalRecord(assetId, measurement, FromMicroseconds(query.Int64(0)), SpanFromMicroseconds(query.Int64(1)),
                    query.DoubleOrNull(2), query.DoubleOrNull(3), query.DoubleOrNull(4), query.DoubleOrNull(5), query.Double(6),
                    (int)query.Int64(7), (QualityFlags)query.Int64(8)));
            }
            return intervals;
        }, cancellationToken);

    public Task<int> ForgetLatestAfterAsync(DateTimeOffset after, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var delete = db.Prepare("DELETE FROM latest WHERE source_time > ?1");
            delete.Bind(1, ToMicroseconds(after)).Run();
            return db.Changes;
        }, cancellationToken);

    public Task<IReadOnlyList<LatestValue>> GetLatestAsync(string assetId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<LatestValue>>(db =>
        {
            using var query = db.Prepare("SELECT measurement, value, source_time, flags FROM latest WHERE asset_id = ?1 ORDER BY measurement");
            query.Bind(1, assetId);
            var latest = new List<LatestValue>();
            while (query.Step())
                latest.Add(new LatestValue(assetId, MeasurementFromCode(query.Int64(0)), query.Double(1), FromMicroseconds(query.Int64(2)), (QualityFlags)query.Int64(3)));
            return latest;
        }, cancellationToken);
}

using Nexwatt.Collector.Domain;
using Npgsql;
using NpgsqlTypes;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Postgres;

// Readings, gaps, samples, intervals and latest values (samples are written in the Samples part).
//
// COPY rows are written with the synchronous Write: it fills Npgsql's write buffer and only touches the socket when
// the buffer is full (a loopback or LAN send that does not block for long), where WriteAsync would pay for a
// ValueTask per field (13 per reading). Cancellation is checked per batch.
public sealed partial class PostgresCollectorStore
{
    public async Task<int> InsertReadingsAsync(IReadOnlyList<IngestedReading> readings, CancellationToken cancellationToken)
    {
        if (readings.Count == 0) return 0;
        var ranges = SequenceRanges.Of(readings);
        var inserted = await WriteAsync(async (connection, transaction, ct) =>
        {
            // Every writer takes its sites' locks first, in site order (no deadlock); see PostgresSchema.LockSites.
            await ExecuteAsync(connection, transaction, PostgresSchema.LockSites, [Parameter(ranges.Sites), Parameter(PostgresSchema.ReadingsLocks)], ct)
                .ConfigureAwait(false);
            if (ranges.DistinctKeys && !await AnyStoredAsync(connection, transaction, PostgresSchema.AnyReadingInRanges, ranges, ct).ConfigureAwait(false))
            {
                // The common case, a batch delivered for the first time: straight into the table, one pass.
                await CopyReadingsAsync(connection, "readings", readings, ct).ConfigureAwait(false);
                return readings.Count;
            }
            // A redelivery (or a batch that is not in sequence order): stage it and insert what is not stored yet.
            await ExecuteAsync(connection, transaction, PostgresSchema.StageReadings, ct).ConfigureAwait(false);
            await CopyReadingsAsync(connection, "readings_staging", readings, ct).ConfigureAwait(false);
            return await ExecuteCountAsync(connection, transaction, PostgresSchema.MergeReadings, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        StorageLog.ReadingsStored(_logger, inserted, readings.Count, readings.Count - inserted);
        return inserted;
    }

    /// <summary>
    /// Whether any row of the batch's sites is stored within the batch's sequence range (one index probe per site), with
    /// <paramref name="probe"/> naming the table (AnyReadingInRanges, AnySampleInRanges).
    /// </summary>
    private static async Task<bool> AnyStoredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string probe, SequenceRanges ranges,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(probe, connection, transaction);
        command.Parameters.Add(Parameter(ranges.Sites));
        command.Parameters.Add(Parameter(ranges.First));
        command.Parameters.Add(Parameter(ranges.Last));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static async Task CopyReadingsAsync(NpgsqlConnection connection, string table, IReadOnlyList<IngestedReading> readings, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({PostgresSchema.ReadingColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var r in readings)
        {
            copy.StartRow();
            copy.Write(r.SiteId, NpgsqlDbType.Text);
            copy.Write(ToColumn(r.Sequence), NpgsqlDbType.Bigint);
            copy.Write(r.DeviceId, NpgsqlDbType.Text);
            copy.Write((int)r.ModelId, NpgsqlDbType.Integer);
            copy.Write(r.ModelInstance, NpgsqlDbType.Integer);
            copy.Write(r.Point, NpgsqlDbType.Text);
            WriteNullable(copy, r.Value);
            if (r.Text is { } text) copy.Write(text, NpgsqlDbType.Text);
            else copy.WriteNull();
            copy.Write(r.Unit, NpgsqlDbType.Text);
            copy.Write((short)r.Quality, NpgsqlDbType.Smallint);
            copy.Write(ToMicroseconds(r.SourceTime), NpgsqlDbType.Bigint);
            copy.Write(ToMicroseconds(r.ReceivedTime), NpgsqlDbType.Bigint);
            copy.Write(r.Historical, NpgsqlDbType.Boolean);
        }
        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task InsertGapsAsync(IReadOnlyList<GapRecord> gaps, CancellationToken cancellationToken)
    {
        if (gaps.Count == 0) return Task.CompletedTask;
        return WriteAsync(async (connection, transaction, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var g in gaps)
            {
                var insert = new NpgsqlBatchCommand(PostgresSchema.InsertGap);
                insert.Parameters.Add(Parameter(g.SiteId));
                insert.Parameters.Add(Parameter(ToColumn(g.FirstSequence)));
                insert.Parameters.Add(Parameter(ToColumn(g.LastSequence)));
                insert.Parameters.Add(Parameter(ToColumn(g.ReadingsLost)));
                insert.Parameters.Add(Parameter(ToMicroseconds(g.From)));
                insert.Parameters.Add(Parameter(ToMicroseconds(g.To)));
                insert.Parameters.Add(Parameter(g.DeviceIds.ToArray()));
                insert.Parameters.Add(Parameter(g.Reason));
                batch.BatchCommands.Add(insert);
            }
            return await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<GapRecord>> GetGapsAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        // Every gap that overlaps [from, to).
        QueryAsync("""
            SELECT first_sequence, last_sequence, readings_lost, from_time, to_time, device_ids, reason FROM gaps
            WHERE site_id = $1 AND to_time >= $2 AND from_time < $3 ORDER BY from_time, first_sequence
            """,
            [Parameter(siteId), Parameter(ToMicroseconds(from)), Parameter(ToMicroseconds(to))],
            row => new GapRecord(siteId, SequenceFromColumn(row.GetInt64(0)), SequenceFromColumn(row.GetInt64(1)),
                SequenceFromColumn(row.GetInt64(2)), FromMicroseconds(row.GetInt64(3)), FromMicroseconds(row.GetInt64(4)),
                row.GetFieldValue<string[]>(5), row.GetString(6)),
            cancellationToken);

    public Task<IReadOnlyList<NormalizedSample>> GetSamplesAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        QueryAsync("""
            SELECT value, source_time, received_time, flags, site_id, sequence, historical FROM samples
            WHERE asset_id = $1 AND measurement = $2 AND source_time >= $3 AND source_time < $4
            ORDER BY source_time, site_id, sequence
            """,
            [Parameter(assetId), Parameter(ToCode(measurement)), Parameter(ToMicroseconds(from)), Parameter(ToMicroseconds(to))],
            row => new NormalizedSample(assetId, measurement, row.GetDouble(0), FromMicroseconds(row.GetInt64(1)), FromMicroseconds(row.GetInt64(2)),
                (QualityFlags)row.GetInt32(3), row.GetString(4), SequenceFromColumn(row.GetInt64(5)), row.GetBoolean(6)),
            cancellationToken);

    public Task UpsertIntervalsAsync(IReadOnlyList<IntervalRecord> intervals, CancellationToken cancellationToken)
    {
        if (intervals.Count == 0) return Task.CompletedTask;
        // ON CONFLICT DO UPDATE may touch a row once per statement: a key given twice keeps its last version.
        var unique = StorageBatches.LastPerKey(intervals);
        return WriteAsync(async (connection, transaction, ct) =>
        {
            await ExecuteAsync(connection, transaction, PostgresSchema.StageIntervals, ct).ConfigureAwait(false);
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"COPY intervals_staging ({PostgresSchema.IntervalColumns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                foreach (var v in unique)
                {
                    copy.StartRow();
                    copy.Write(v.AssetId, NpgsqlDbType.Text);
                    copy.Write(ToCode(v.Measurement), NpgsqlDbType.Smallint);
                    copy.Write(ToMicroseconds(v.Start), NpgsqlDbType.Bigint);
                    copy.Write(ToMicroseconds(v.Length), NpgsqlDbType.Bigint);
                    WriteNullable(copy, v.Average);
                    WriteNullable(copy, v.Minimum);
                    WriteNullable(copy, v.Maximum);
                    WriteNullable(copy, v.Last);
                    copy.Write(v.Coverage, NpgsqlDbType.Double);
                    copy.Write(v.SampleCount, NpgsqlDbType.Integer);
                    copy.Write((int)v.Flags, NpgsqlDbType.Integer);
                }
                await copy.CompleteAsync(ct).ConfigureAwait(false);
            }
            await ExecuteAsync(connection, transaction, PostgresSchema.MergeIntervals, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<IntervalRecord>> GetIntervalsAsync(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        QueryAsync("""
            SELECT start_time, length_us, average, minimum, maximum, last, coverage, sample_count, flags FROM intervals
            WHERE asset_id = $1 AND measurement = $2 AND start_time >= $3 AND start_time < $4 ORDER BY start_time
            """,
            [Parameter(assetId), Parameter(ToCode(measurement)), Parameter(ToMicroseconds(from)), Parameter(ToMicroseconds(to))],
            row => new IntervalRecord(assetId, measurement, FromMicroseconds(row.GetInt64(0)), SpanFromMicroseconds(row.GetInt64(1)),
                DoubleOrNull(row, 2), DoubleOrNull(row, 3), DoubleOrNull(row, 4), DoubleOrNull(row, 5), row.GetDouble(6),
                row.GetInt32(7), (QualityFlags)row.GetInt32(8)),
            cancellationToken);

    public Task<int> ForgetLatestAfterAsync(DateTimeOffset after, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, ct) =>
        {
            await using var command = new NpgsqlCommand("DELETE FROM latest WHERE source_time > $1", connection, transaction);
            command.Parameters.Add(Parameter(ToMicroseconds(after)));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<IReadOnlyList<LatestValue>> GetLatestAsync(string assetId, CancellationToken cancellationToken) =>
        QueryAsync("SELECT measurement, value, source_time, flags FROM latest WHERE asset_id = $1 ORDER BY measurement",
            [Parameter(assetId)],
            row => new LatestValue(assetId, MeasurementFromCode(row.GetInt16(0)), row.GetDouble(1), FromMicroseconds(row.GetInt64(2)), (QualityFlags)row.GetInt32(3)),
            cancellationToken);

    private static void WriteNullable(NpgsqlBinaryImporter copy, double? value)
    {
        if (value is { } v) copy.Write(v, NpgsqlDbType.Double);
        else copy.WriteNull();
    }

    private static double? DoubleOrNull(NpgsqlDataReader row, int column) => row.IsDBNull(column) ? null : row.GetDouble(column);
}

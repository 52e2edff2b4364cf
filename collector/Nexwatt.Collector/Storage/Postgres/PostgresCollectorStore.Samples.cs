using Nexwatt.Collector.Domain;
using Npgsql;
using NpgsqlTypes;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Postgres;

// Samples and their latest values: a batch seen for the first time is copied straight into samples, anything else
// is staged and merged (why it is race-free: PostgresSchema, above AnySampleInRanges).
public sealed partial class PostgresCollectorStore
{
    public Task InsertSamplesAsync(IReadOnlyList<NormalizedSample> samples, CancellationToken cancellationToken)
    {
        if (samples.Count == 0) return Task.CompletedTask;
        var ranges = SequenceRanges.Of(samples);
        return WriteAsync(async (connection, transaction, ct) =>
        {
            await ExecuteAsync(connection, transaction, PostgresSchema.LockSites, [Parameter(ranges.Sites), Parameter(PostgresSchema.SamplesLocks)], ct)
                .ConfigureAwait(false);
            if (ranges.DistinctKeys && !await AnyStoredAsync(connection, transaction, PostgresSchema.AnySampleInRanges, ranges, ct).ConfigureAwait(false))
            {
                await CopySamplesAsync(connection, "samples", samples, ct).ConfigureAwait(false);
                await UpsertLatestAsync(connection, transaction, StorageBatches.NewestPerMeasurement(samples), ct).ConfigureAwait(false);
                return true;
            }
            await ExecuteAsync(connection, transaction, PostgresSchema.StageSamples, ct).ConfigureAwait(false);
            await CopySamplesAsync(connection, "samples_staging", samples, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, PostgresSchema.MergeSamples, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, PostgresSchema.MergeLatest, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    private static async Task CopySamplesAsync(NpgsqlConnection connection, string table, IReadOnlyList<NormalizedSample> samples, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({PostgresSchema.SampleColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var s in samples)
        {
            copy.StartRow();
            copy.Write(s.SiteId, NpgsqlDbType.Text);
            copy.Write(ToColumn(s.Sequence), NpgsqlDbType.Bigint);
            copy.Write(ToCode(s.Measurement), NpgsqlDbType.Smallint);
            copy.Write(s.AssetId, NpgsqlDbType.Text);
            copy.Write(s.Value, NpgsqlDbType.Double);
            copy.Write(ToMicroseconds(s.SourceTime), NpgsqlDbType.Bigint);
            copy.Write(ToMicroseconds(s.ReceivedTime), NpgsqlDbType.Bigint);
            copy.Write((int)s.Flags, NpgsqlDbType.Integer);
            copy.Write(s.Historical, NpgsqlDbType.Boolean);
        }
        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Upserts the batch's newest sample per (asset, measurement) into latest in one statement (see PostgresSchema.UpsertLatest).</summary>
    private static async Task UpsertLatestAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<NormalizedSample> newest,
        CancellationToken cancellationToken)
    {
        var assets = new string[newest.Count];
        var measurements = new short[newest.Count];
        var values = new double[newest.Count];
        var times = new long[newest.Count];
        var flags = new int[newest.Count];
        var i = 0;
        foreach (var s in newest)
        {
            assets[i] = s.AssetId;
            measurements[i] = ToCode(s.Measurement);
            values[i] = s.Value;
            times[i] = ToMicroseconds(s.SourceTime);
            flags[i] = (int)s.Flags;
            i++;
        }
        await ExecuteAsync(connection, transaction, PostgresSchema.UpsertLatest,
            [Parameter(assets), Parameter(measurements), Parameter(values), Parameter(times), Parameter(flags)], cancellationToken).ConfigureAwait(false);
    }
}

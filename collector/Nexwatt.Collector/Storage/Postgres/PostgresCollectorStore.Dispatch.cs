using Nexwatt.Collector.Dispatch;
using Npgsql;
using NpgsqlTypes;
using static Nexwatt.Collector.Storage.DispatchColumnLists;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Postgres;

// Dispatches, allocation spans, setpoints and the dispatch event log: the same tables as SQLite.
public sealed partial class PostgresCollectorStore : IDispatchStore
{
    /// <summary>Additive migrations of schema version 1 and the dispatch tables, each only when missing.</summary>
    internal const string DispatchSchema = $"""
        ALTER TABLE assets ADD COLUMN IF NOT EXISTS program text NOT NULL DEFAULT '{Domain.AssetRecord.DefaultProgram}';
        CREATE TABLE IF NOT EXISTS dispatches (
            dispatch_id text COLLATE "C" PRIMARY KEY,
            resource_id text NOT NULL,
            iso_zone text NOT NULL,
            direction text NOT NULL,
            mw_requested double precision NOT NULL,
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            status text NOT NULL,
            created_at bigint NOT NULL,
            mw_expected double precision NOT NULL);
        CREATE INDEX IF NOT EXISTS dispatches_status ON dispatches (status);
        CREATE TABLE IF NOT EXISTS allocation_spans (
            dispatch_id text COLLATE "C" NOT NULL,
            revision integer NOT NULL,
            asset_id text COLLATE "C" NOT NULL,
            site_id text NOT NULL,
            device_id text NOT NULL,
            program text NOT NULL,
            kw double precision NOT NULL,
            limit_kw double precision NOT NULL,
            reason text NOT NULL,
            from_time bigint NOT NULL,
            to_time bigint NOT NULL,
            PRIMARY KEY (dispatch_id, revision, asset_id));
        CREATE TABLE IF NOT EXISTS setpoints (
            setpoint_id text COLLATE "C" PRIMARY KEY,
            dispatch_id text COLLATE "C" NOT NULL,
            site_id text COLLATE "C" NOT NULL,
            revision integer NOT NULL,
            issued_at bigint NOT NULL,
            start_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            signed bytea NOT NULL,
            state text NOT NULL,
            ack_result text,
            ack_reason text,
            measured_w double precision,
            acked_at bigint);
        CREATE INDEX IF NOT EXISTS setpoints_dispatch ON setpoints (dispatch_id, site_id);
        CREATE INDEX IF NOT EXISTS setpoints_site ON setpoints (site_id, expires_at);
        CREATE TABLE IF NOT EXISTS dispatch_events (
            dispatch_id text COLLATE "C" NOT NULL,
            seq bigint NOT NULL,
            time bigint NOT NULL,
            kind text NOT NULL,
            detail text NOT NULL,
            PRIMARY KEY (dispatch_id, seq));
        """;

    // $1 setpoint, $2 result, $3 reason, $4 measured W, $5 time, $6 pending, $7 acked: a pending setpoint becomes acked.
    private const string RecordAckSql = """
        UPDATE setpoints SET ack_result = $2, ack_reason = $3, measured_w = $4, acked_at = $5,
            state = CASE WHEN state = $6 THEN $7 ELSE state END
        WHERE setpoint_id = $1
        """;

    // Collectors sharing the database append to one log: a transaction lock per dispatch keeps its sequence gap-free.
    private const string LockEventsSql = "SELECT pg_advisory_xact_lock(hashtextextended('nexwatt.dispatch_events/' || $1, 0))";

    public Task InsertDispatchAsync(DispatchRecord d, CancellationToken cancellationToken) =>
        ExecuteAsync($"INSERT INTO dispatches ({DispatchColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [
                Parameter(d.DispatchId), Parameter(d.ResourceId), Parameter(d.IsoZone), Parameter(ToText(d.Direction)), Parameter(d.MegawattsRequested),
                Parameter(ToMicroseconds(d.WindowStart)), Parameter(ToMicroseconds(d.WindowEnd)), Parameter(d.Status), Parameter(ToMicroseconds(d.CreatedAt)),
                Parameter(d.MegawattsExpected),
            ],
            cancellationToken);

    public async Task<DispatchRecord?> GetDispatchAsync(string dispatchId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {DispatchColumns} FROM dispatches WHERE dispatch_id = $1", [Parameter(dispatchId)], ReadDispatch, cancellationToken)
            .ConfigureAwait(false)).FirstOrDefault();

    public Task<IReadOnlyList<DispatchRecord>> ListOpenDispatchesAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {DispatchColumns} FROM dispatches WHERE status <> $1 ORDER BY created_at, dispatch_id",
            [Parameter(DispatchStatus.Completed)], ReadDispatch, cancellationToken);

    public Task UpdateDispatchAsync(string dispatchId, string status, double megawattsExpected, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE dispatches SET status = $2, mw_expected = $3 WHERE dispatch_id = $1",
            [Parameter(dispatchId), Parameter(status), Parameter(megawattsExpected)], cancellationToken);

    public async Task InsertSpansAsync(IReadOnlyList<AllocationSpan> spans, CancellationToken cancellationToken)
    {
        if (spans.Count == 0) return;
        await WriteAsync(async (connection, transaction, ct) =>
        {
            foreach (var s in spans)
            {
                await using var insert = new NpgsqlCommand(
                    $"INSERT INTO allocation_spans ({SpanColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", connection, transaction);
                insert.Parameters.AddRange(new NpgsqlParameter[]
                {
                    Parameter(s.DispatchId), Parameter(s.Revision), Parameter(s.AssetId), Parameter(s.SiteId), Parameter(s.DeviceId), Parameter(s.Program),
                    Parameter(s.Kilowatts), Parameter(s.LimitKw), Parameter(s.Reason), Parameter(ToMicroseconds(s.From)), Parameter(ToMicroseconds(s.To)),
                });
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task CloseSpansAsync(string dispatchId, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE allocation_spans SET to_time = $2 WHERE dispatch_id = $1 AND to_time > $2",
            [Parameter(dispatchId), Parameter(ToMicroseconds(at))], cancellationToken);

    public Task<IReadOnlyList<AllocationSpan>> GetSpansAsync(string dispatchId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SpanColumns} FROM allocation_spans WHERE dispatch_id = $1 ORDER BY revision, asset_id", [Parameter(dispatchId)],
            row => new AllocationSpan(row.GetString(0), row.GetInt32(1), row.GetString(2), row.GetString(3), row.GetString(4), row.GetString(5),
                row.GetDouble(6), row.GetDouble(7), row.GetString(8), FromMicroseconds(row.GetInt64(9)), FromMicroseconds(row.GetInt64(10))),
            cancellationToken);

    public Task InsertSetpointAsync(SetpointRecord s, CancellationToken cancellationToken) =>
        ExecuteAsync($"INSERT INTO setpoints ({SetpointColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            [
                Parameter(s.SetpointId), Parameter(s.DispatchId), Parameter(s.SiteId), Parameter(s.Revision), Parameter(ToMicroseconds(s.IssuedAt)),
                Parameter(ToMicroseconds(s.StartAt)), Parameter(ToMicroseconds(s.ExpiresAt)), Parameter(s.Signed.ToArray()), Parameter(s.State),
                Nullable(s.AckResult, NpgsqlDbType.Text), Nullable(s.AckReason, NpgsqlDbType.Text), Nullable(s.MeasuredW, NpgsqlDbType.Double),
                Nullable(s.AckedAt is { } at ? ToMicroseconds(at) : null, NpgsqlDbType.Bigint),
            ],
            cancellationToken);

    public async Task IssueSetpointsAsync(IReadOnlyList<SetpointRecord> setpoints, CancellationToken cancellationToken)
    {
        if (setpoints.Count == 0) return;
        await WriteAsync(async (connection, transaction, ct) =>
        {
            // One round trip for the whole issue: a batch of insert + supersede per setpoint.
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var s in setpoints)
            {
                var insert = new NpgsqlBatchCommand($"INSERT INTO setpoints ({SetpointColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL, NULL)");
                insert.Parameters.AddRange(new NpgsqlParameter[]
                {
                    Parameter(s.SetpointId), Parameter(s.DispatchId), Parameter(s.SiteId), Parameter(s.Revision), Parameter(ToMicroseconds(s.IssuedAt)),
                    Parameter(ToMicroseconds(s.StartAt)), Parameter(ToMicroseconds(s.ExpiresAt)), Parameter(s.Signed.ToArray()), Parameter(s.State),
                });
                var supersede = new NpgsqlBatchCommand("UPDATE setpoints SET state = $4 WHERE dispatch_id = $1 AND site_id = $2 AND setpoint_id <> $3");
                supersede.Parameters.AddRange(new NpgsqlParameter[]
                {
                    Parameter(s.DispatchId), Parameter(s.SiteId), Parameter(s.SetpointId), Parameter(SetpointState.Superseded),
                });
                batch.BatchCommands.Add(insert);
                batch.BatchCommands.Add(supersede);
            }
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SetpointRecord?> GetSetpointAsync(string setpointId, CancellationToken cancellationToken) =>
        (await QueryAsync($"SELECT {SetpointColumns} FROM setpoints WHERE setpoint_id = $1", [Parameter(setpointId)], ReadSetpoint, cancellationToken)
            .ConfigureAwait(false)).FirstOrDefault();

    public async Task<IReadOnlyList<SetpointRecord>> GetSetpointsByIdAsync(IReadOnlyCollection<string> setpointIds, CancellationToken cancellationToken) =>
        setpointIds.Count == 0
            ? []
            : await QueryAsync($"SELECT {SetpointColumns} FROM setpoints WHERE setpoint_id = ANY($1)", [Parameter(setpointIds.ToArray())], ReadSetpoint,
                cancellationToken).ConfigureAwait(false);

    public Task<IReadOnlyList<SetpointRecord>> GetSetpointsAsync(string dispatchId, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SetpointColumns} FROM setpoints WHERE dispatch_id = $1 ORDER BY issued_at, setpoint_id", [Parameter(dispatchId)],
            ReadSetpoint, cancellationToken);

    public Task<IReadOnlyList<SetpointRecord>> GetLiveSetpointsAsync(string siteId, DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SetpointColumns} FROM setpoints WHERE site_id = $1 AND expires_at > $2 AND state <> $3 ORDER BY issued_at, setpoint_id",
            [Parameter(siteId), Parameter(ToMicroseconds(now)), Parameter(SetpointState.Superseded)], ReadSetpoint, cancellationToken);

    public Task SupersedeSetpointsAsync(string dispatchId, string siteId, string exceptSetpointId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE setpoints SET state = $4 WHERE dispatch_id = $1 AND site_id = $2 AND setpoint_id <> $3",
            [Parameter(dispatchId), Parameter(siteId), Parameter(exceptSetpointId), Parameter(SetpointState.Superseded)], cancellationToken);

    public async Task<bool> RecordAckAsync(string setpointId, string result, string? reason, double? measuredW, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(RecordAckSql);
        command.Parameters.AddRange(RecordAckParameters(setpointId, result, reason, measuredW, at));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<DispatchEvent?>> RecordAcksAsync(IReadOnlyList<SetpointAckRecord> acks, CancellationToken cancellationToken)
    {
        if (acks.Count == 0) return [];
        return await WriteAsync<IReadOnlyList<DispatchEvent?>>(async (connection, transaction, ct) =>
        {
            // Round trip 1: the event locks (in one order, so two collectors' batches cannot deadlock), then every update.
            var dispatchIds = acks.Select(a => a.DispatchId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            await using var updates = new NpgsqlBatch(connection, transaction);
            foreach (var dispatchId in dispatchIds)
            {
                var lockEvents = new NpgsqlBatchCommand(LockEventsSql);
                lockEvents.Parameters.Add(Parameter(dispatchId));
                updates.BatchCommands.Add(lockEvents);
            }
            foreach (var a in acks)
            {
                var update = new NpgsqlBatchCommand(RecordAckSql);
                update.Parameters.AddRange(RecordAckParameters(a.SetpointId, a.Result, a.Reason, a.MeasuredW, a.At));
                updates.BatchCommands.Add(update);
            }
            await updates.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

            // Round trip 2: the last sequence of each dispatch, read under its lock.
            await using var last = new NpgsqlCommand("""
                SELECT d, coalesce((SELECT max(seq) FROM dispatch_events WHERE dispatch_id = d), 0) FROM unnest($1::text[]) AS d
                """, connection, transaction);
            last.Parameters.Add(Parameter(dispatchIds));
            var sequences = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var reader = await last.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false)) sequences[reader.GetString(0)] = reader.GetInt64(1);
            }

            // Round trip 3: one event per recorded acknowledgement.
            var events = new DispatchEvent?[acks.Count];
            await using var inserts = new NpgsqlBatch(connection, transaction);
            for (var i = 0; i < acks.Count; i++)
            {
                var a = acks[i];
                if (updates.BatchCommands[dispatchIds.Length + i].RecordsAffected == 0) continue;
                var sequence = ++sequences[a.DispatchId];
                var insert = new NpgsqlBatchCommand("INSERT INTO dispatch_events (dispatch_id, seq, time, kind, detail) VALUES ($1, $2, $3, $4, $5)");
                insert.Parameters.AddRange(new NpgsqlParameter[]
                {
                    Parameter(a.DispatchId), Parameter(sequence), Parameter(ToMicroseconds(a.At)), Parameter(DispatchEventKinds.SiteAcknowledged), Parameter(a.EventDetail),
                });
                inserts.BatchCommands.Add(insert);
                events[i] = new DispatchEvent(a.DispatchId, sequence, a.At, DispatchEventKinds.SiteAcknowledged, a.EventDetail);
            }
            if (inserts.BatchCommands.Count > 0) await inserts.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return events;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<DispatchEvent> AppendEventAsync(string dispatchId, DateTimeOffset time, string kind, string detail, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, ct) =>
        {
            // Collectors sharing the database append to one log: a lock per dispatch keeps the sequence gap-free.
            await using var command = new NpgsqlCommand(LockEventsSql, connection, transaction);
            command.Parameters.Add(Parameter(dispatchId));
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await using var insert = new NpgsqlCommand("""
                INSERT INTO dispatch_events (dispatch_id, seq, time, kind, detail)
                SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM dispatch_events WHERE dispatch_id = $1
                RETURNING seq
                """, connection, transaction);
            insert.Parameters.AddRange(new NpgsqlParameter[] { Parameter(dispatchId), Parameter(ToMicroseconds(time)), Parameter(kind), Parameter(detail) });
            var sequence = Convert.ToInt64(await insert.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            return new DispatchEvent(dispatchId, sequence, time, kind, detail);
        }, cancellationToken);

    public Task<IReadOnlyList<DispatchEvent>> GetEventsAsync(string dispatchId, CancellationToken cancellationToken) =>
        QueryAsync("SELECT seq, time, kind, detail FROM dispatch_events WHERE dispatch_id = $1 ORDER BY seq", [Parameter(dispatchId)],
            row => new DispatchEvent(dispatchId, row.GetInt64(0), FromMicroseconds(row.GetInt64(1)), row.GetString(2), row.GetString(3)),
            cancellationToken);

    private static NpgsqlParameter[] RecordAckParameters(string setpointId, string result, string? reason, double? measuredW, DateTimeOffset at) =>
    [
        Parameter(setpointId), Parameter(result), Nullable(reason, NpgsqlDbType.Text), Nullable(measuredW, NpgsqlDbType.Double),
        Parameter(ToMicroseconds(at)), Parameter(SetpointState.Pending), Parameter(SetpointState.Acked),
    ];

    private static DispatchRecord ReadDispatch(NpgsqlDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetString(2), DirectionFromText(row.GetString(3)), row.GetDouble(4),
        FromMicroseconds(row.GetInt64(5)), FromMicroseconds(row.GetInt64(6)), row.GetString(7), FromMicroseconds(row.GetInt64(8)), row.GetDouble(9));

    private static SetpointRecord ReadSetpoint(NpgsqlDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt32(3), FromMicroseconds(row.GetInt64(4)), FromMicroseconds(row.GetInt64(5)),
        FromMicroseconds(row.GetInt64(6)), row.GetFieldValue<byte[]>(7), row.GetString(8), TextOrNull(row, 9), TextOrNull(row, 10), DoubleOrNull(row, 11),
        row.IsDBNull(12) ? null : FromMicroseconds(row.GetInt64(12)));
}

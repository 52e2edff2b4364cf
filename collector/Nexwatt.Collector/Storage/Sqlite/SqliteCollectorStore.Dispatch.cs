using Nexwatt.Collector.Dispatch;
using Nexwatt.Collector.Dispatch.Allocation;
using Nexwatt.Data.Sqlite;
using static Nexwatt.Collector.Storage.DispatchColumnLists;
using static Nexwatt.Collector.Storage.StorageCodes;

namespace Nexwatt.Collector.Storage.Sqlite;

// Dispatches, allocation spans, setpoints and the dispatch event log (rare rows: statements prepared per call).
public sealed partial class SqliteCollectorStore : IDispatchStore
{
    internal const string DispatchSchema = """
        CREATE TABLE IF NOT EXISTS dispatches (
            dispatch_id TEXT PRIMARY KEY,
            resource_id TEXT NOT NULL,
            iso_zone TEXT NOT NULL,
            direction TEXT NOT NULL,
            mw_requested REAL NOT NULL,
            window_start INTEGER NOT NULL,
            window_end INTEGER NOT NULL,
            status TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            mw_expected REAL NOT NULL);
        CREATE INDEX IF NOT EXISTS dispatches_status ON dispatches (status);
        CREATE TABLE IF NOT EXISTS allocation_spans (
            dispatch_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            asset_id TEXT NOT NULL,
            site_id TEXT NOT NULL,
            device_id TEXT NOT NULL,
            program TEXT NOT NULL,
            kw REAL NOT NULL,
            limit_kw REAL NOT NULL,
            reason TEXT NOT NULL,
            from_time INTEGER NOT NULL,
            to_time INTEGER NOT NULL,
            PRIMARY KEY (dispatch_id, revision, asset_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS setpoints (
            setpoint_id TEXT PRIMARY KEY,
            dispatch_id TEXT NOT NULL,
            site_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            issued_at INTEGER NOT NULL,
            start_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            signed BLOB NOT NULL,
            state TEXT NOT NULL,
            ack_result TEXT,
            ack_reason TEXT,
            measured_w REAL,
            acked_at INTEGER);
        CREATE INDEX IF NOT EXISTS setpoints_dispatch ON setpoints (dispatch_id, site_id);
        CREATE INDEX IF NOT EXISTS setpoints_site ON setpoints (site_id, expires_at);
        CREATE TABLE IF NOT EXISTS dispatch_events (
            dispatch_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            time INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            PRIMARY KEY (dispatch_id, seq)) WITHOUT ROWID;
        """;

    // ?1 setpoint, ?2 result, ?3 reason, ?4 measured W, ?5 time, ?6 pending, ?7 acked: a pending setpoint becomes acked.
    private const string RecordAckSql = """
        UPDATE setpoints SET ack_result = ?2, ack_reason = ?3, measured_w = ?4, acked_at = ?5,
            state = CASE WHEN state = ?6 THEN ?7 ELSE state END
        WHERE setpoint_id = ?1
        """;

    private const string NextEventSql = "SELECT coalesce(max(seq), 0) + 1 FROM dispatch_events WHERE dispatch_id = ?1";

    private const string InsertEventSql = "INSERT INTO dispatch_events (dispatch_id, seq, time, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)";

    /// <summary>Additive migrations of schema version 1: columns added since, each only when missing.</summary>
    private static void Migrate(SqliteDatabase write)
    {
        if (write.ScalarInt64("SELECT count(*) FROM pragma_table_info('assets') WHERE name = 'program'") == 0)
            write.Execute($"ALTER TABLE assets ADD COLUMN program TEXT NOT NULL DEFAULT '{Domain.AssetRecord.DefaultProgram}'");
        write.Execute(DispatchSchema);
    }

    public Task InsertDispatchAsync(DispatchRecord d, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var insert = db.Prepare($"INSERT INTO dispatches ({DispatchColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
            insert.Bind(1, d.DispatchId).Bind(2, d.ResourceId).Bind(3, d.IsoZone).Bind(4, ToText(d.Direction)).Bind(5, d.MegawattsRequested)
                .Bind(6, ToMicroseconds(d.WindowStart)).Bind(7, ToMicroseconds(d.WindowEnd)).Bind(8, d.Status).Bind(9, ToMicroseconds(d.CreatedAt))
                .Bind(10, d.MegawattsExpected).Run();
            return true;
        }, cancellationToken);

    public Task<DispatchRecord?> GetDispatchAsync(string dispatchId, CancellationToken cancellationToken) =>
        ReadAsync(db =>
        {
            using var query = db.Prepare($"SELECT {DispatchColumns} FROM dispatches WHERE dispatch_id = ?1");
            query.Bind(1, dispatchId);
            return query.Step() ? ReadDispatch(query) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<DispatchRecord>> ListOpenDispatchesAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DispatchRecord>>(db =>
        {
            using var query = db.Prepare($"SELECT {DispatchColumns} FROM dispatches WHERE status <> ?1 ORDER BY created_at, dispatch_id");
            query.Bind(1, DispatchStatus.Completed);
            var rows = new List<DispatchRecord>();
            while (query.Step()) rows.Add(ReadDispatch(query));
            return rows;
        }, cancellationToken);

    public Task UpdateDispatchAsync(string dispatchId, string status, double megawattsExpected, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var update = db.Prepare("UPDATE dispatches SET status = ?2, mw_expected = ?3 WHERE dispatch_id = ?1");
            update.Bind(1, dispatchId).Bind(2, status).Bind(3, megawattsExpected).Run();
            return true;
        }, cancellationToken);

    public Task InsertSpansAsync(IReadOnlyList<AllocationSpan> spans, CancellationToken cancellationToken)
    {
        if (spans.Count == 0) return Task.CompletedTask;
        return WriteAsync((db, _) =>
        {
            using var transaction = db.BeginTransaction();
            using var insert = db.Prepare($"INSERT INTO allocation_spans ({SpanColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
            foreach (var s in spans)
            {
                insert.Bind(1, s.DispatchId).Bind(2, s.Revision).Bind(3, s.AssetId).Bind(4, s.SiteId).Bind(5, s.DeviceId).Bind(6, s.Program)
                    .Bind(7, s.Kilowatts).Bind(8, s.LimitKw).Bind(9, s.Reason).Bind(10, ToMicroseconds(s.From)).Bind(11, ToMicroseconds(s.To)).Run();
            }
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task CloseSpansAsync(string dispatchId, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var update = db.Prepare("UPDATE allocation_spans SET to_time = ?2 WHERE dispatch_id = ?1 AND to_time > ?2");
            update.Bind(1, dispatchId).Bind(2, ToMicroseconds(at)).Run();
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<AllocationSpan>> GetSpansAsync(string dispatchId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<AllocationSpan>>(db =>
        {
            using var query = db.Prepare($"SELECT {SpanColumns} FROM allocation_spans WHERE dispatch_id = ?1 ORDER BY revision, asset_id");
            query.Bind(1, dispatchId);
            var rows = new List<AllocationSpan>();
            while (query.Step())
            {
                rows.Add(new AllocationSpan(query.Text(0) ?? "", (int)query.Int64(1), query.Text(2) ?? "", query.Text(3) ?? "", query.Text(4) ?? "",
                    query.Text(5) ?? "", query.Double(6), query.Double(7), query.Text(8) ?? "", FromMicroseconds(query.Int64(9)), FromMicroseconds(query.Int64(10))));
            }
            return rows;
        }, cancellationToken);

    public Task InsertSetpointAsync(SetpointRecord s, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var insert = db.Prepare($"INSERT INTO setpoints ({SetpointColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
            insert.Bind(1, s.SetpointId).Bind(2, s.DispatchId).Bind(3, s.SiteId).Bind(4, s.Revision).Bind(5, ToMicroseconds(s.IssuedAt))
                .Bind(6, ToMicroseconds(s.StartAt)).Bind(7, ToMicroseconds(s.ExpiresAt)).Bind(8, s.Signed.Span).Bind(9, s.State)
                .BindOrNull(10, s.AckResult).BindOrNull(11, s.AckReason).BindOrNull(12, s.MeasuredW)
                .BindOrNull(13, s.AckedAt is { } at ? ToMicroseconds(at) : null).Run();
            return true;
        }, cancellationToken);

    public Task IssueSetpointsAsync(IReadOnlyList<SetpointRecord> setpoints, CancellationToken cancellationToken)
    {
        if (setpoints.Count == 0) return Task.CompletedTask;
        return WriteAsync((db, _) =>
        {
            using var transaction = db.BeginTransaction();
            using var insert = db.Prepare($"INSERT INTO setpoints ({SetpointColumns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL, NULL, NULL)");
            using var supersede = db.Prepare("UPDATE setpoints SET state = ?4 WHERE dispatch_id = ?1 AND site_id = ?2 AND setpoint_id <> ?3");
            foreach (var s in setpoints)
            {
                insert.Bind(1, s.SetpointId).Bind(2, s.DispatchId).Bind(3, s.SiteId).Bind(4, s.Revision).Bind(5, ToMicroseconds(s.IssuedAt))
                    .Bind(6, ToMicroseconds(s.StartAt)).Bind(7, ToMicroseconds(s.ExpiresAt)).Bind(8, s.Signed.Span).Bind(9, s.State).Run();
                supersede.Bind(1, s.DispatchId).Bind(2, s.SiteId).Bind(3, s.SetpointId).Bind(4, SetpointState.Superseded).Run();
            }
            transaction.Commit();
            return true;
        }, cancellationToken);
    }

    public Task<SetpointRecord?> GetSetpointAsync(string setpointId, CancellationToken cancellationToken) =>
        ReadAsync(db =>
        {
            using var query = db.Prepare($"SELECT {SetpointColumns} FROM setpoints WHERE setpoint_id = ?1");
            query.Bind(1, setpointId);
            return query.Step() ? ReadSetpoint(query) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<SetpointRecord>> GetSetpointsByIdAsync(IReadOnlyCollection<string> setpointIds, CancellationToken cancellationToken)
    {
        if (setpointIds.Count == 0) return Task.FromResult<IReadOnlyList<SetpointRecord>>([]);
        return ReadAsync<IReadOnlyList<SetpointRecord>>(db =>
        {
            // One prepared lookup by primary key per id, in one read transaction (one snapshot of the WAL).
            using var transaction = db.BeginTransaction(immediate: false);
            using var query = db.Prepare($"SELECT {SetpointColumns} FROM setpoints WHERE setpoint_id = ?1");
            var rows = new List<SetpointRecord>(setpointIds.Count);
            foreach (var id in setpointIds)
            {
                query.Bind(1, id);
                if (query.Step()) rows.Add(ReadSetpoint(query));
                query.Reset();
            }
            transaction.Commit();
            return rows;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<SetpointRecord>> GetSetpointsAsync(string dispatchId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SetpointRecord>>(db =>
        {
            using var query = db.Prepare($"SELECT {SetpointColumns} FROM setpoints WHERE dispatch_id = ?1 ORDER BY issued_at, setpoint_id");
            query.Bind(1, dispatchId);
            var rows = new List<SetpointRecord>();
            while (query.Step()) rows.Add(ReadSetpoint(query));
            return rows;
        }, cancellationToken);

    public Task<IReadOnlyList<SetpointRecord>> GetLiveSetpointsAsync(string siteId, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SetpointRecord>>(db =>
        {
            using var query = db.Prepare($"""
                SELECT {SetpointColumns} FROM setpoints WHERE site_id = ?1 AND expires_at > ?2 AND state <> ?3 ORDER BY issued_at, setpoint_id
                """);
            query.Bind(1, siteId).Bind(2, ToMicroseconds(now)).Bind(3, SetpointState.Superseded);
            var rows = new List<SetpointRecord>();
            while (query.Step()) rows.Add(ReadSetpoint(query));
            return rows;
        }, cancellationToken);

    public Task SupersedeSetpointsAsync(string dispatchId, string siteId, string exceptSetpointId, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var update = db.Prepare("UPDATE setpoints SET state = ?4 WHERE dispatch_id = ?1 AND site_id = ?2 AND setpoint_id <> ?3");
            update.Bind(1, dispatchId).Bind(2, siteId).Bind(3, exceptSetpointId).Bind(4, SetpointState.Superseded).Run();
            return true;
        }, cancellationToken);

    public Task<bool> RecordAckAsync(string setpointId, string result, string? reason, double? measuredW, DateTimeOffset at, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            using var update = db.Prepare(RecordAckSql);
            update.Bind(1, setpointId).Bind(2, result).BindOrNull(3, reason).BindOrNull(4, measuredW).Bind(5, ToMicroseconds(at))
                .Bind(6, SetpointState.Pending).Bind(7, SetpointState.Acked).Run();
            return db.Changes > 0;
        }, cancellationToken);

    public Task<DispatchEvent> AppendEventAsync(string dispatchId, DateTimeOffset time, string kind, string detail, CancellationToken cancellationToken) =>
        WriteAsync((db, _) =>
        {
            // One writer connection: the max + 1 inside the transaction cannot race.
            using var transaction = db.BeginTransaction();
            using var next = db.Prepare(NextEventSql);
            next.Bind(1, dispatchId);
            next.Step();
            var sequence = next.Int64(0);
            using var insert = db.Prepare(InsertEventSql);
            insert.Bind(1, dispatchId).Bind(2, sequence).Bind(3, ToMicroseconds(time)).Bind(4, kind).Bind(5, detail).Run();
            transaction.Commit();
            return new DispatchEvent(dispatchId, sequence, time, kind, detail);
        }, cancellationToken);

    public Task<IReadOnlyList<DispatchEvent?>> RecordAcksAsync(IReadOnlyList<SetpointAckRecord> acks, CancellationToken cancellationToken)
    {
        if (acks.Count == 0) return Task.FromResult<IReadOnlyList<DispatchEvent?>>([]);
        return WriteAsync<IReadOnlyList<DispatchEvent?>>((db, _) =>
        {
            // One transaction, so one fsync for the whole batch. One writer connection: each dispatch's next sequence is
            // read once, then counted on in memory.
            using var transaction = db.BeginTransaction();
            using var update = db.Prepare(RecordAckSql);
            using var next = db.Prepare(NextEventSql);
            using var insert = db.Prepare(InsertEventSql);
            var sequences = new Dictionary<string, long>(StringComparer.Ordinal);
            var events = new DispatchEvent?[acks.Count];
            for (var i = 0; i < acks.Count; i++)
            {
                var a = acks[i];
                update.Bind(1, a.SetpointId).Bind(2, a.Result).BindOrNull(3, a.Reason).BindOrNull(4, a.MeasuredW).Bind(5, ToMicroseconds(a.At))
                    .Bind(6, SetpointState.Pending).Bind(7, SetpointState.Acked).Run();
                if (db.Changes == 0) continue;
                if (!sequences.TryGetValue(a.DispatchId, out var sequence))
                {
                    next.Bind(1, a.DispatchId);
                    next.Step();
                    sequence = next.Int64(0);
                    next.Reset();
                }
                sequences[a.DispatchId] = sequence + 1;
                insert.Bind(1, a.DispatchId).Bind(2, sequence).Bind(3, ToMicroseconds(a.At)).Bind(4, DispatchEventKinds.SiteAcknowledged).Bind(5, a.EventDetail).Run();
                events[i] = new DispatchEvent(a.DispatchId, sequence, a.At, DispatchEventKinds.SiteAcknowledged, a.EventDetail);
            }
            transaction.Commit();
            return events;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DispatchEvent>> GetEventsAsync(string dispatchId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DispatchEvent>>(db =>
        {
            using var query = db.Prepare("SELECT seq, time, kind, detail FROM dispatch_events WHERE dispatch_id = ?1 ORDER BY seq");
            query.Bind(1, dispatchId);
            var rows = new List<DispatchEvent>();
            while (query.Step()) rows.Add(new DispatchEvent(dispatchId, query.Int64(0), FromMicroseconds(query.Int64(1)), query.Text(2) ?? "", query.Text(3) ?? "{}"));
            return rows;
        }, cancellationToken);

    private static DispatchRecord ReadDispatch(SqliteStatement row) => new(
        row.Text(0) ?? "", row.Text(1) ?? "", row.Text(2) ?? "", DirectionFromText(row.Text(3) ?? ""), row.Double(4),
        FromMicroseconds(row.Int64(5)), FromMicroseconds(row.Int64(6)), row.Text(7) ?? "", FromMicroseconds(row.Int64(8)), row.Double(9));

    private static SetpointRecord ReadSetpoint(SqliteStatement row) => new(
        row.Text(0) ?? "", row.Text(1) ?? "", row.Text(2) ?? "", (int)row.Int64(3), FromMicroseconds(row.Int64(4)), FromMicroseconds(row.Int64(5)),
        FromMicroseconds(row.Int64(6)), row.Blob(7).ToArray(), row.Text(8) ?? "", row.Text(9), row.Text(10), row.DoubleOrNull(11),
        row.IsNull(12) ? null : FromMicroseconds(row.Int64(12)));
}

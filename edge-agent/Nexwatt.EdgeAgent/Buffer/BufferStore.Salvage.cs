using Microsoft.Extensions.Logging;
using Nexwatt.Data.Sqlite;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

internal sealed partial class BufferStore
{
    private const int SalvageBatch = 1000;

    /// <summary>
    /// Moves the damaged file aside and copies every row that can still be read into a fresh store. Chunks are read
    /// forward by id until a damaged page stops the scan, then backward from the newest down to where it stopped,
    /// so damage in the middle of the file loses only the region around it.
    /// </summary>
    private static BufferStore Salvage(string path, string reason, TimeProvider time, ILogger logger)
    {
        var aside = MoveAside(path, "corrupt", time);
        BufferLog.Corrupt(logger, path, reason, aside);
        var store = Create(path, time);
        long chunks = 0, readings = 0, gaps = 0;
        var skipped = 0;
        string? firstError = null;
        ulong? savedNext = null;
        try
        {
            using var old = OpenDamaged(aside);
            (savedNext, var evicted) = TryReadMeta(old, ref skipped, ref firstError);
            store.EvictedTotal = evicted;
            store.Begin();
            var inBatch = 0;
            void Copy(SqliteStatement row)
            {
                store.InsertChunk((ulong)row.Int64(0), (ulong)row.Int64(1), row.Text(2) ?? "", row.Int64(3), row.Int64(4), (int)row.Int64(5), row.Blob(6));
                chunks++;
                readings += row.Int64(5);
                // Commit in batches so that a salvage of a large file neither holds it all in memory nor in one transaction.
                if (++inBatch < SalvageBatch) return;
                store.Commit();
                store.Begin();
                inBatch = 0;
            }

            const string columns = "SELECT id, last_seq, device_id, first_time_us, last_time_us, reading_count, payload FROM chunks";
            var lastForward = ScanRows(old, $"{columns} WHERE id > -1 ORDER BY id", Copy, out var forwardComplete, ref firstError);
            if (!forwardComplete)
            {
                skipped++;
                ScanRows(old, $"{columns} WHERE id > {lastForward ?? -1} ORDER BY id DESC", Copy, out var backwardComplete, ref firstError);
                if (!backwardComplete) skipped++;
            }

            ScanRows(old, "SELECT first_seq, last_seq, readings_lost, from_time_us, to_time_us, device_ids, reason FROM gaps ORDER BY id", row =>
            {
                var gap = new Gap
                {
                    FirstSequence = (ulong)row.Int64(0), LastSequence = (ulong)row.Int64(1), ReadingsLost = (ulong)row.Int64(2),
                    FromTimeUs = row.Int64(3), ToTimeUs = row.Int64(4), Reason = row.Text(6) ?? "",
                };
                if (row.Text(5) is { Length: > 0 } devices) gap.DeviceIds.AddRange(devices.Split('\n'));
                store.InsertGap(gap);
                gaps++;
            }, out var gapsComplete, ref firstError);
            if (!gapsComplete) skipped++;
            store.Commit();
        }
        catch (SqliteException ex) when (ex.IsCorruption || ex.PrimaryCode is SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_ERROR)
        {
            // Not even the schema is readable: the fresh store keeps what was committed; the original stays beside it.
            store.Rollback();
            store.LoadCounters();
            skipped++;
            firstError ??= ex.Message;
        }
        catch
        {
            // The fresh store cannot be written (disk full): the caller retries later, the original is still aside.
            store.Dispose();
            throw;
        }

        // Never below anything salvaged, nor below what the old counter said, nor below the clock floor.
        var next = Math.Max(store.NextSequence, savedNext ?? 0);
        store.NextSequence = next;
        store.Begin();
        store.Commit();
        if (savedNext is null) BufferLog.SequenceFromClock(logger, aside, next);
        BufferLog.Salvaged(logger, chunks, readings, gaps, aside, skipped, firstError ?? "none", next);
        return store;
    }

    private static SqliteDatabase OpenDamaged(string path)
    {
        // Read-only first, so that SQLite does not checkpoint into the damaged file; a WAL file may need write access.
        SqliteDatabase db;
        try { db = SqliteDatabase.Open(path, readOnly: true); }
        catch (SqliteException) { db = SqliteDatabase.Open(path, readOnly: false); }
        // A truncated file is shorter than its header says; SQLite refuses to read it at all unless told to be
        // lenient with the schema. Nothing is written through this connection.
        db.Execute("PRAGMA writable_schema = ON");
        return db;
    }

    private static (ulong? Next, long Evicted) TryReadMeta(SqliteDatabase old, ref int skipped, ref string? firstError)
    {
        try
        {
            using var meta = old.Prepare("SELECT next_sequence, evicted_total FROM meta WHERE id = 1");
            return meta.Step() ? ((ulong)meta.Int64(0), meta.Int64(1)) : (null, 0);
        }
        catch (SqliteException ex)
        {
            skipped++;
            firstError ??= ex.Message;
            return (null, 0);
        }
    }

    /// <summary>Hands each row to <paramref name="copy"/> until the end or the first damaged page; returns the last id read.</summary>
    private static long? ScanRows(SqliteDatabase old, string sql, Action<SqliteStatement> copy, out bool complete, ref string? firstError)
    {
        long? last = null;
        complete = false;
        try
        {
            using var rows = old.Prepare(sql);
            while (rows.Step())
            {
                copy(rows);
                last = rows.Int64(0);
            }
            complete = true;
        }
        catch (SqliteException ex) when (ex.IsCorruption || ex.PrimaryCode == SQLitePCL.raw.SQLITE_ERROR)
        {
            firstError ??= ex.Message;
        }
        return last;
    }
}

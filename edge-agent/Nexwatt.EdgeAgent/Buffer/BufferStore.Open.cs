using System.Globalization;
using Microsoft.Extensions.Logging;
using Nexwatt.Data.Sqlite;
using Nexwatt.Protos;

namespace Nexwatt.EdgeAgent.Buffer;

internal sealed partial class BufferStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            next_sequence INTEGER NOT NULL,
            evicted_total INTEGER NOT NULL,
            bytes_written_total INTEGER NOT NULL,
            day INTEGER NOT NULL,
            day_bytes INTEGER NOT NULL,
            last_full_day_bytes INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS chunks(
            id INTEGER PRIMARY KEY,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            device_id TEXT NOT NULL,
            first_time_us INTEGER NOT NULL,
            last_time_us INTEGER NOT NULL,
            reading_count INTEGER NOT NULL,
            payload BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS gaps(
            id INTEGER PRIMARY KEY,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER NOT NULL,
            readings_lost INTEGER NOT NULL,
            from_time_us INTEGER NOT NULL,
            to_time_us INTEGER NOT NULL,
            device_ids TEXT NOT NULL,
            reason TEXT NOT NULL);
        """;

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating it when missing. A damaged file is moved aside (never
    /// deleted) and its readable rows are copied into a fresh store. Throws <see cref="SqliteException"/> or an
    /// I/O exception when the folder or the disk cannot be written: the caller retries later.
    /// </summary>
    public static BufferStore Open(string path, TimeProvider time, ILogger logger)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var exists = File.Exists(path) && new FileInfo(path).Length > 0 || File.Exists(path + "-wal");
        if (exists)
        {
            if (Check(path, out var version) is { } damage)
                return Salvage(path, damage, time, logger);
            if (version > SchemaVersion)
            {
                var aside = MoveAside(path, "newer", time);
                BufferLog.NewerSchema(logger, path, version, SchemaVersion, aside);
            }
        }
        return Create(path, time);
    }

    /// <summary>Null when the file is sound; otherwise what is wrong with it.</summary>
    private static string? Check(string path, out long version)
    {
        version = 0;
        try
        {
            // Opening read-write lets SQLite replay the WAL first: the last commits live there until a checkpoint.
            using var db = SqliteDatabase.Open(path, readOnly: false);
            // quick_check reads every page but skips the index cross-checks of integrity_check: O(file), seconds on an SD card.
            var result = db.ScalarText("PRAGMA quick_check(1)");
            if (result != "ok") return $"quick_check: {result}";
            try { version = db.ScalarInt64("SELECT max(version) FROM schema_version"); }
            catch (SqliteException ex) when (!ex.IsCorruption) { version = 0; }
            return null;
        }
        catch (SqliteException ex) when (ex.IsCorruption)
        {
            return ex.Message;
        }
    }

    /// <summary>Opens or creates the file with the buffer's durability settings and schema.</summary>
    private static BufferStore Create(string path, TimeProvider time)
    {
        var write = SqliteDatabase.Open(path, readOnly: false);
        SqliteDatabase? read = null;
        try
        {
            // 4 KiB: the page size of the filesystem and of most SD cards' write unit; it only applies to a new file.
            write.Execute("PRAGMA page_size = 4096");
            if (write.ScalarText("PRAGMA journal_mode = WAL") != "wal")
                throw new SqliteException($"{path}: WAL journal mode could not be enabled", SQLitePCL.raw.SQLITE_CANTOPEN);
            // WAL + synchronous=FULL: a commit returns only after its WAL frames are fsynced. NORMAL would survive
            // kill -9 (the frames are in the page cache) but could lose the last commits on power loss, and a reading
            // we accepted must survive power loss. Group commit keeps this to a few fsyncs a second.
            write.Execute("PRAGMA synchronous = FULL");
            // Checkpoint every 1024 pages (4 MiB of WAL) and trim the WAL back to 4 MiB after a burst: a page that
            // changes in several commits is copied to the main file once per checkpoint, not once per commit.
            write.Execute("PRAGMA wal_autocheckpoint = 1024");
            write.Execute("PRAGMA journal_size_limit = 4194304");
            write.Execute("BEGIN IMMEDIATE");
            write.Execute(Schema);
            write.Execute($"INSERT INTO schema_version SELECT {SchemaVersion} WHERE NOT EXISTS (SELECT 1 FROM schema_version)");
            var seed = Math.Max(SequenceFloor(time), write.ScalarInt64("SELECT coalesce(max(last_seq), 0) + 1 FROM chunks"));
            write.Execute($"INSERT OR IGNORE INTO meta VALUES (1, {seed}, 0, 0, 0, 0, -1)");
            write.Execute("COMMIT");

            read = SqliteDatabase.Open(path, readOnly: false);
            read.Execute("PRAGMA query_only = 1");
            var store = new BufferStore(write, read);
            store.LoadCounters();
            return store;
        }
        catch
        {
            read?.Dispose();
            write.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The sequence a fresh store starts from: the clock in microseconds since the Unix epoch. A store that was lost
    /// or replaced can then never hand out a sequence the collector already holds (it deduplicates on them), as long
    /// as the site averages below a million readings a second and its clock is roughly right.
    /// </summary>
    private static long SequenceFloor(TimeProvider time) => Math.Max(1, WireTime.ToMicroseconds(time.GetUtcNow()));


    private void LoadCounters()
    {
        using (var meta = _write.Prepare("SELECT next_sequence, evicted_total, bytes_written_total, day, day_bytes, last_full_day_bytes FROM meta WHERE id = 1"))
        {
            if (!meta.Step()) throw new SqliteException($"{Path}: the meta row is missing", SQLitePCL.raw.SQLITE_CORRUPT);
            NextSequence = (ulong)meta.Int64(0);
            EvictedTotal = meta.Int64(1);
            Writes = new PersistedWrites(meta.Int64(2), meta.Int64(3), meta.Int64(4), meta.Int64(5) is >= 0 and var last ? last : null);
        }
        using (var totals = _write.Prepare("SELECT count(*), coalesce(sum(reading_count), 0) FROM chunks"))
        {
            totals.Step();
            Chunks = totals.Int64(0);
            Readings = totals.Int64(1);
        }
        Gaps = _write.ScalarInt64("SELECT count(*) FROM gaps");
    }

    /// <summary>Renames the file and its WAL and shared-memory files to "&lt;name&gt;.&lt;what&gt;-&lt;UTC time&gt;"; nothing is deleted.</summary>
    internal static string MoveAside(string path, string what, TimeProvider time)
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = $"{path}.{what}-{stamp}";
        for (var n = 1; File.Exists(aside); n++) aside = $"{path}.{what}-{stamp}-{n}";
        File.Move(path, aside);
        foreach (var suffix in new[] { "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Move(path + suffix, aside + suffix);
        return aside;
    }
}

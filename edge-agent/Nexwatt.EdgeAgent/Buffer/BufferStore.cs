using Nexwatt.Data.Sqlite;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// The SQLite file: a write connection used only by the buffer's writer loop, and a read connection used under
/// the buffer's read lock (WAL lets the uplink read while a commit is being written). Counters live here and are
/// changed only by the writer; a failed transaction puts them back with <see cref="Restore"/>.
/// </summary>
internal sealed partial class BufferStore : IDisposable
{
    public const int SchemaVersion = 1;

    private readonly SqliteDatabase _write;
    private readonly SqliteDatabase _read;
    private readonly SqliteStatement _begin, _commit, _rollback, _insertChunk, _deleteChunk, _insertGap, _deleteGap, _saveMeta;
    private readonly SqliteStatement _pageCount, _freePages, _evictScan, _evictDelete;
    private readonly SqliteStatement _readRange, _readGaps, _oldest;

    private BufferStore(SqliteDatabase write, SqliteDatabase read)
    {
        _write = write;
        _read = read;
        PageSize = write.ScalarInt64("PRAGMA page_size");
        _begin = write.Prepare("BEGIN IMMEDIATE");
        _commit = write.Prepare("COMMIT");
        _rollback = write.Prepare("ROLLBACK");
        _insertChunk = write.Prepare("INSERT INTO chunks(id, first_seq, last_seq, device_id, first_time_us, last_time_us, reading_count, payload) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        _deleteChunk = write.Prepare("DELETE FROM chunks WHERE id = ?1 RETURNING reading_count");
        _insertGap = write.Prepare("INSERT INTO gaps(first_seq, last_seq, readings_lost, from_time_us, to_time_us, device_ids, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        _deleteGap = write.Prepare("DELETE FROM gaps WHERE id = ?1 RETURNING id");
        _saveMeta = write.Prepare("UPDATE meta SET next_sequence = ?1, evicted_total = ?2, bytes_written_total = ?3, day = ?4, day_bytes = ?5, last_full_day_bytes = ?6 WHERE id = 1");
        _pageCount = write.Prepare("PRAGMA page_count");
        _freePages = write.Prepare("PRAGMA freelist_count");
        _evictScan = write.Prepare("SELECT id, last_seq, device_id, first_time_us, last_time_us, reading_count, length(payload) FROM chunks ORDER BY id");
        _evictDelete = write.Prepare("DELETE FROM chunks WHERE id <= ?1");
        _readRange = read.Prepare("SELECT id, last_seq, device_id, first_time_us, payload FROM chunks WHERE id >= ?1 AND id < ?2 ORDER BY id");
        _readGaps = read.Prepare("SELECT id, first_seq, last_seq, readings_lost, from_time_us, to_time_us, device_ids, reason FROM gaps ORDER BY id");
        _oldest = read.Prepare("SELECT first_time_us FROM chunks ORDER BY id LIMIT 1");
    }

    public string Path => _write.Path;
    public long PageSize { get; }

    /// <summary>The next sequence to assign; chunk ids equal their first sequence, so the rowid b-tree is the sequence index.</summary>
    public ulong NextSequence { get; private set; }
    public long Readings { get; private set; }
    public long Chunks { get; private set; }
    public long Gaps { get; private set; }
    public long EvictedTotal { get; private set; }
    public PersistedWrites Writes { get; set; }

    public Counters Snapshot() => new(NextSequence, Readings, Chunks, Gaps, EvictedTotal);

    public void Restore(Counters counters) =>
        (NextSequence, Readings, Chunks, Gaps, EvictedTotal) = (counters.NextSequence, counters.Readings, counters.Chunks, counters.Gaps, counters.EvictedTotal);

    // ---- writer loop only ----

    public void Begin() => _begin.Run();

    public void Commit()
    {
        _saveMeta.Bind(1, checked((long)NextSequence)).Bind(2, EvictedTotal).Bind(3, Writes.Total).Bind(4, Writes.Day).Bind(5, Writes.DayBytes)
            .Bind(6, Writes.LastFullDayBytes ?? -1).Run();
        _commit.Run();
    }

    /// <summary>Rolls back whatever is open; SQLite may already have rolled back itself (e.g. after SQLITE_FULL).</summary>
    public void Rollback()
    {
        try { _rollback.Run(); }
        catch (SqliteException) { }
    }

    /// <summary>Reserves <paramref name="count"/> consecutive sequences; returns the first.</summary>
    public ulong Reserve(int count)
    {
        var first = NextSequence;
        NextSequence += (ulong)count;
        return first;
    }

    public void InsertChunk(ulong firstSequence, ulong lastSequence, string deviceId, long firstTimeUs, long lastTimeUs, int count, ReadOnlySpan<byte> payload)
    {
        _insertChunk.Bind(1, (long)firstSequence).Bind(2, (long)lastSequence).Bind(3, deviceId).Bind(4, firstTimeUs).Bind(5, lastTimeUs)
            .Bind(6, count).Bind(7, payload).Run();
        Readings += count;
        Chunks++;
    }

    /// <summary>Deletes a chunk; false when it is already gone (evicted, or acknowledged twice), which is not an error.</summary>
    public bool DeleteChunk(long id)
    {
        try
        {
            _deleteChunk.Bind(1, id);
            if (!_deleteChunk.Step()) return false;
            Readings -= _deleteChunk.Int64(0);
            Chunks--;
            return true;
        }
        finally { _deleteChunk.Reset(); }
    }

    public void InsertGap(Gap gap)
    {
        _insertGap.Bind(1, (long)gap.FirstSequence).Bind(2, (long)gap.LastSequence).Bind(3, (long)gap.ReadingsLost).Bind(4, gap.FromTimeUs)
            .Bind(5, gap.ToTimeUs).Bind(6, string.Join('\n', gap.DeviceIds)).Bind(7, gap.Reason).Run();
        Gaps++;
    }

    public void DeleteGap(long id)
    {
        try
        {
            if (_deleteGap.Bind(1, id).Step()) Gaps--;
        }
        finally { _deleteGap.Reset(); }
    }

    /// <summary>
    /// Deletes the oldest chunks, delivered or not, until about <paramref name="bytesToFree"/> of pages are freed,
    /// adding what went to <paramref name="round"/>. Returns false when there was nothing left to delete.
    /// </summary>
    public bool EvictOldest(long bytesToFree, EvictionRound round)
    {
        long freed = 0, lastId = -1, readings = 0, chunks = 0;
        try
        {
            while (freed < bytesToFree && _evictScan.Step())
            {
                lastId = _evictScan.Int64(0);
                var count = _evictScan.Int64(5);
                round.Add((ulong)lastId, (ulong)_evictScan.Int64(1), _evictScan.Text(2) ?? "", _evictScan.Int64(3), _evictScan.Int64(4), count);
                readings += count;
                chunks++;
                // A payload larger than a page spills into overflow pages; count whole pages, not bytes.
                freed += (_evictScan.Int64(6) / (PageSize - 64) + 1) * PageSize;
            }
        }
        finally { _evictScan.Reset(); }
        if (lastId < 0) return false;
        _evictDelete.Bind(1, lastId).Run();
        Readings -= readings;
        Chunks -= chunks;
        EvictedTotal += readings;
        return true;
    }

    /// <summary>Pages in use (the file minus its free list): what eviction bounds. Freed pages are reused, never vacuumed.</summary>
    public long UsedBytes() => (Scalar(_pageCount) - Scalar(_freePages)) * PageSize;

    public long PagesWritten() => _write.PagesWritten();

    /// <summary>Runs a statement on the write connection; tests use it to provoke SQLITE_FULL with max_page_count.</summary>
    internal void ExecuteForTests(string sql) => _write.Execute(sql);

    // ---- read lock only ----

    public void ReadRange(long from, long toExclusive, int maxReadings, List<BufferedChunk> chunks, List<CorruptChunk> corrupt)
    {
        var readings = 0;
        try
        {
            _readRange.Bind(1, from).Bind(2, toExclusive);
            while ((readings < maxReadings || chunks.Count == 0) && _readRange.Step())
            {
                var id = _readRange.Int64(0);
                var last = (ulong)_readRange.Int64(1);
                var device = _readRange.Text(2) ?? "";
                if (ChunkCodec.TryDecode(_readRange.Blob(4), device, out var decoded) && decoded.Count > 0)
                {
                    chunks.Add(new BufferedChunk(id, (ulong)id, last, device, _readRange.Int64(3), decoded));
                    readings += decoded.Count;
                }
                else corrupt.Add(new CorruptChunk(id, last, device, _readRange.Int64(3)));
            }
        }
        finally { _readRange.Reset(); }
    }

    public List<BufferedGap> ReadGaps()
    {
        var gaps = new List<BufferedGap>();
        try
        {
            while (_readGaps.Step())
            {
                var gap = new Gap
                {
                    FirstSequence = (ulong)_readGaps.Int64(1),
                    LastSequence = (ulong)_readGaps.Int64(2),
                    ReadingsLost = (ulong)_readGaps.Int64(3),
                    FromTimeUs = _readGaps.Int64(4),
                    ToTimeUs = _readGaps.Int64(5),
                    Reason = _readGaps.Text(7) ?? "",
                };
                if (_readGaps.Text(6) is { Length: > 0 } devices) gap.DeviceIds.AddRange(devices.Split('\n'));
                gaps.Add(new BufferedGap(_readGaps.Int64(0), gap));
            }
        }
        finally { _readGaps.Reset(); }
        return gaps;
    }

    public long? OldestTimeUs()
    {
        try { return _oldest.Step() ? _oldest.Int64(0) : null; }
        finally { _oldest.Reset(); }
    }

    private static long Scalar(SqliteStatement statement)
    {
        try { return statement.Step() ? statement.Int64(0) : 0; }
        finally { statement.Reset(); }
    }

    public void Dispose()
    {
        foreach (var statement in new[] { _begin, _commit, _rollback, _insertChunk, _deleteChunk, _insertGap, _deleteGap, _saveMeta, _pageCount,
                     _freePages, _evictScan, _evictDelete, _readRange, _readGaps, _oldest })
            statement.Dispose();
        _read.Dispose();
        _write.Dispose();
    }

    /// <summary>The counters as of one moment: published after each commit for readers on other threads.</summary>
    public sealed record Counters(ulong NextSequence, long Readings, long Chunks, long Gaps, long EvictedTotal);
}

/// <summary>A stored chunk whose payload does not decode.</summary>
internal readonly record struct CorruptChunk(long Id, ulong LastSequence, string DeviceId, long FirstTimeUs);

/// <summary>The write figures kept in the meta row, so that the running total and the last full day survive restarts.</summary>
internal readonly record struct PersistedWrites(long Total, long Day, long DayBytes, long? LastFullDayBytes);

using Microsoft.Extensions.Logging;
using Nexwatt.Data.Sqlite;

namespace Nexwatt.EdgeAgent.Buffer;

public sealed partial class ReadingBuffer
{
    // Readings that could not be stored while the store was unavailable; announced as one gap once it is back.
    private EvictionRound? _lost;
    private string _lostReason = "";
    private long _lastOpenAttempt;
    private bool _unavailableReported;
    private FileStream? _lockFile;
    private bool _commitFailing;

    /// <summary>The only code that writes: gathers requests into a batch, commits it in one transaction, releases the callers.</summary>
    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteRequest>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            await GatherAsync(batch).ConfigureAwait(false);
            try
            {
                Process(batch);
                EvictIfFull();
            }
            catch (Exception ex)
            {
                // A bug must not stop the loop: every later append would wait forever. Fail this batch, keep going.
                BufferLog.CommitFailed(_logger, batch.Count, ex.Message, ex);
                foreach (var request in batch) request.Fail(new BufferUnavailableException($"buffer write failed: {ex.Message}", ex));
            }
        }
    }

    /// <summary>Takes requests until the commit interval has passed since the first, enough readings wait, or a flush asks.</summary>
    private async Task GatherAsync(List<WriteRequest> batch)
    {
        var reader = _queue.Reader;
        var readings = 0;
        var urgent = false;
        bool TakeAvailable()
        {
            while (readings < _options.CommitMaxReadings && !urgent && reader.TryRead(out var request))
            {
                batch.Add(request);
                readings += request.ReadingCount;
                urgent |= request.Urgent;
            }
            return readings >= _options.CommitMaxReadings || urgent;
        }

        if (TakeAvailable() || _disposed != 0) return;
        using var interval = new CancellationTokenSource();
        var elapsed = Task.Delay(_options.CommitInterval, _time, interval.Token);
        while (true)
        {
            var more = reader.WaitToReadAsync().AsTask();
            if (await Task.WhenAny(more, elapsed).ConfigureAwait(false) == elapsed || !await more.ConfigureAwait(false)) break;
            if (TakeAvailable() || _disposed != 0) break;
        }
        interval.Cancel();
    }

    private void Process(List<WriteRequest> batch)
    {
        while (_losses.TryDequeue(out var loss))
        {
            _lost ??= new EvictionRound();
            _lost.Add(0, 0, loss.DeviceId, loss.From, loss.To, loss.Readings);
            _lostReason = loss.Reason;
        }
        if (_store is null && !TryReopen())
        {
            FailBatch(batch, new BufferUnavailableException($"the buffer {Path} cannot be opened (see the earlier error); retrying every {_options.RetryInterval}"));
            return;
        }

        var store = _store!;
        var before = store.Snapshot();
        ulong firstSequence = 0, lastSequence = 0, lostFirst = 0;
        var (chunks, readings) = (0, 0);
        try
        {
            store.Begin();
            if (_lost is { } lost)
            {
                lostFirst = store.Reserve((int)Math.Min(lost.Readings, int.MaxValue));
                var gap = lost.ToGap($"buffer unavailable: {_lostReason}");
                (gap.FirstSequence, gap.LastSequence) = (lostFirst, store.NextSequence - 1);
                store.InsertGap(gap);
            }
            foreach (var request in batch)
            {
                if (request is AppendRequest append)
                {
                    var chunk = Append(store, append);
                    if (chunks++ == 0) firstSequence = chunk.FirstSequence;
                    lastSequence = chunk.LastSequence;
                    readings += chunk.Readings.Count;
                }
                else Change(store, (ChangeRequest)request);
            }
            store.Writes = _meter.Persisted;
            store.Commit();
        }
        catch (Exception ex)
        {
            // Whatever failed, the transaction must not stay open: every later batch would fail on BEGIN.
            store.Rollback();
            store.Restore(before);
            if (ex is SqliteException sqlite) OnStoreFailure(store, sqlite, batch.Count);
            else BufferLog.CommitFailed(_logger, batch.Count, ex.Message, ex);
            FailBatch(batch, new BufferUnavailableException($"the buffer {Path} could not commit: {Describe(ex)}", ex));
            return;
        }

        Interlocked.Increment(ref _commits);
        _commitFailing = false;
        _meter.Add(store.PagesWritten());
        Volatile.Write(ref _published, store.Snapshot());
        if (_lost is { } recovered)
        {
            BufferLog.Recovered(_logger, recovered.Readings, lostFirst, lostFirst + (ulong)recovered.Readings - 1);
            _lost = null;
        }
        if (chunks > 0 && _logger.IsEnabled(LogLevel.Debug)) BufferLog.Committed(_logger, firstSequence, lastSequence, chunks, readings);
        foreach (var request in batch) request.Complete();
    }

    private static BufferedChunk Append(BufferStore store, AppendRequest append)
    {
        var readings = append.Readings;
        var first = store.Reserve(readings.Count);
        long from = long.MaxValue, to = long.MinValue;
        for (var i = 0; i < readings.Count; i++)
        {
            var reading = readings[i];
            reading.Sequence = first + (ulong)i;
            // A gateway's sub-meters and batteries come in their polled device's batch under their own ids.
            if (reading.DeviceId.Length == 0) reading.DeviceId = append.DeviceId;
            from = Math.Min(from, reading.SourceTimeUs);
            to = Math.Max(to, reading.SourceTimeUs);
        }
        var last = store.NextSequence - 1;
        store.InsertChunk(first, last, append.DeviceId, from, to, readings.Count, ChunkCodec.Encode(readings, append.DeviceId));
        return append.Result = new BufferedChunk((long)first, first, last, append.DeviceId, from, readings);
    }

    private static void Change(BufferStore store, ChangeRequest change)
    {
        switch (change.Kind)
        {
            case ChangeKind.AcknowledgeChunks:
                foreach (var id in change.Ids) store.DeleteChunk(id);
                break;
            case ChangeKind.AcknowledgeGaps:
                foreach (var id in change.Ids) store.DeleteGap(id);
                break;
            case ChangeKind.DiscardCorrupt:
                foreach (var corrupt in change.Corrupt)
                {
                    if (!store.DeleteChunk(corrupt.Id)) continue;
                    var round = new EvictionRound();
                    round.Add((ulong)corrupt.Id, corrupt.LastSequence, corrupt.DeviceId, corrupt.FirstTimeUs, corrupt.FirstTimeUs,
                        (long)(corrupt.LastSequence - (ulong)corrupt.Id + 1));
                    store.InsertGap(round.ToGap("corrupt chunk in the buffer"));
                }
                break;
        }
    }

    /// <summary>Deletes the oldest chunks when the used pages pass MaxBytes, down to the low-water mark, as one gap.</summary>
    private void EvictIfFull()
    {
        if (_store is not { } store) return;
        var before = store.Snapshot();
        var round = new EvictionRound();
        long used;
        try
        {
            used = store.UsedBytes();
            if (used <= _options.MaxBytes) return;
            store.Begin();
            // The page counts reflect this transaction's deletes, so re-measure until below the low-water mark.
            for (var now = used; now > _options.LowWaterBytes && store.EvictOldest(now - _options.LowWaterBytes, round);)
                now = store.UsedBytes();
            if (round.Chunks == 0)
            {
                store.Rollback();
                return;
            }
            store.InsertGap(round.ToGap("buffer full"));
            store.Writes = _meter.Persisted;
            store.Commit();
        }
        catch (SqliteException ex)
        {
            store.Rollback();
            store.Restore(before);
            BufferLog.EvictionFailed(_logger, Describe(ex), ex);
            OnStoreFailure(store, ex, requests: 0);
            return;
        }
        Interlocked.Increment(ref _commits);
        _meter.Add(store.PagesWritten());
        Volatile.Write(ref _published, store.Snapshot());
        BufferLog.Evicted(_logger, used, _options.MaxBytes, round.Readings, round.Chunks, round.FirstSequence, round.LastSequence, round.Devices, store.EvictedTotal);
    }

    private void FailBatch(List<WriteRequest> batch, BufferUnavailableException failure)
    {
        foreach (var request in batch)
        {
            if (request is AppendRequest { CallerRetries: false } append)
            {
                _lost ??= new EvictionRound();
                long from = long.MaxValue, to = long.MinValue;
                foreach (var r in append.Readings) (from, to) = (Math.Min(from, r.SourceTimeUs), Math.Max(to, r.SourceTimeUs));
                _lost.Add(0, 0, append.DeviceId, from, to, append.Readings.Count);
                _lostReason = failure.Message;
            }
            request.Fail(failure);
        }
    }

    /// <summary>A damaged file is closed so that the next batch reopens it, which salvages it; other faults are retried as is.</summary>
    private void OnStoreFailure(BufferStore store, SqliteException ex, int requests)
    {
        // One line per failed batch, the stack trace only for the first of a run of failures (a full disk repeats).
        if (requests > 0) BufferLog.CommitFailed(_logger, requests, Describe(ex), _commitFailing ? null : ex);
        _commitFailing = true;
        if (!ex.IsCorruption) return;
        lock (_readLock) _store = null;
        store.Dispose();
        _lastOpenAttempt = 0;
    }

    private bool TryReopen() =>
        (_lastOpenAttempt == 0 || _time.GetElapsedTime(_lastOpenAttempt) >= _options.RetryInterval) && TryOpenStore();

    private bool TryOpenStore()
    {
        try
        {
            OpenStore();
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            // The stack trace once; the retries that follow say the same thing in one line.
            BufferLog.Unavailable(_logger, Path, Describe(ex), _options.RetryInterval, _unavailableReported ? null : ex);
            _unavailableReported = true;
            return false;
        }
    }

    private void OpenOrThrow()
    {
        try
        {
            OpenStore();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            _lockFile?.Dispose();
            _lockFile = null;
            throw new BufferUnavailableException($"the buffer '{Path}' cannot be opened: {Describe(ex)}", ex);
        }
    }

    private void OpenStore()
    {
        _lastOpenAttempt = _time.GetTimestamp();
        {
            _lockFile ??= LockFile(Path);
            var store = BufferStore.Open(Path, _time, _logger);
            _meter.Attach(store.PageSize, store.Writes);
            Volatile.Write(ref _published, store.Snapshot());
            lock (_readLock) _store = store;
            _unavailableReported = false;
            BufferLog.Opened(_logger, Path, store.Readings, store.Chunks, store.Gaps, store.NextSequence, FileLength(Path) + FileLength(Path + "-wal"));
        }
    }

    /// <summary>
    /// Holds "&lt;file&gt;.lock" exclusively (flock) while the buffer is open: two agents appending to one file would
    /// hand out the same sequences. The lock goes with the process, so a killed agent never leaves it stale.
    /// </summary>
    private static FileStream LockFile(string path)
    {
        var folder = System.IO.Path.GetDirectoryName(path)!;
        try { Directory.CreateDirectory(folder); }
        catch (IOException ex) { throw new IOException($"its folder '{folder}' cannot be created: {ex.Message}", ex); }
        try { return new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"{path} is in use by another process (another agent?): {ex.Message}", ex);
        }
    }

    private static string Describe(Exception ex) => ex switch
    {
        SqliteException { IsDiskFull: true } => $"the disk (or the file's size limit) is full: {ex.Message}",
        SqliteException { PrimaryCode: SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM } =>
            $"the file or its folder cannot be written: {ex.Message}",
        UnauthorizedAccessException => $"permission denied: {ex.Message}",
        _ => ex.Message,
    };
}

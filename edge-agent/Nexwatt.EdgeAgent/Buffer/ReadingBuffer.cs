using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nexwatt.Data.Sqlite;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// The agent's durable reading buffer: every polled reading is appended here, with a per-site sequence number,
/// before anything is sent; it leaves only when the uplink acknowledges it after the broker did (at least once).
/// A SQLite file in WAL mode with synchronous=FULL: a chunk is on the flash when <see cref="AppendAsync"/> returns.
/// Appends from all pollers are group-committed by one writer loop; size is bounded by evicting the oldest data,
/// which is announced upstream as a gap. A damaged file is salvaged at open, and a store that cannot be written
/// (disk full, read-only folder) makes appends fail with <see cref="BufferUnavailableException"/> until it can.
/// </summary>
public sealed partial class ReadingBuffer : IAsyncDisposable, IDisposable
{
    // Requests, not readings: 1024 polls is about 100k readings, a few MB. FullMode.Wait on purpose: when the
    // disk is slower than the pollers they wait for room, measured data is never dropped in memory.
    private const int QueueCapacity = 1024;

    private readonly BufferOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<WriteRequest> _queue;
    private readonly Lock _readLock = new();
    // Losses reported by callers from any thread; the writer loop alone folds them into the next gap.
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string DeviceId, long From, long To, int Readings, string Reason)> _losses = new();
    private readonly WriteMeter _meter;
    private readonly Task _writer;
    private BufferStore? _store;
    private BufferStore.Counters _published = new(0, 0, 0, 0, 0);
    private long _commits;
    private int _disposed;

    private ReadingBuffer(BufferOptions options, TimeProvider time, ILogger logger, bool requireOpen)
    {
        _options = options;
        Path = options.EffectivePath;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _meter = new WriteMeter(time);
        if (requireOpen) OpenOrThrow();
        else TryOpenStore();
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The sequence the next appended reading will get (as of the last commit).</summary>
    public ulong NextSequence => Volatile.Read(ref _published).NextSequence;

    /// <summary>
    /// Opens (or creates) the buffer. Never throws for a damaged file (salvaged). A store that cannot be written
    /// throws with <paramref name="requireOpen"/> (at start it is a configuration mistake: the path); without it, it is
    /// logged, appends fail with <see cref="BufferUnavailableException"/> and the store is retried every
    /// <see cref="BufferOptions.RetryInterval"/>.
    /// </summary>
    /// <exception cref="BufferUnavailableException">With <paramref name="requireOpen"/>: the file cannot be opened or created; the message names it and why.</exception>
    public static ReadingBuffer Open(BufferOptions options, TimeProvider time, ILogger logger, bool requireOpen = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        return new ReadingBuffer(options, time, logger, requireOpen);
    }

    /// <summary>True while the store is open and writable as far as the buffer knows (false from a failed commit until one succeeds).</summary>
    public bool IsHealthy => Volatile.Read(ref _store) is not null && !Volatile.Read(ref _commitFailing);

    /// <summary>
    /// Stores one device poll and returns once it is durably committed. The readings get consecutive sequences and
    /// <paramref name="deviceId"/> (the objects are updated in place and returned in the chunk). Cancelling stops
    /// the wait, not the write: a reading that entered the queue is committed anyway.
    /// </summary>
    /// <exception cref="BufferUnavailableException">The store cannot be written now (disk full, folder not writable).</exception>
    public ValueTask<BufferedChunk> AppendAsync(string deviceId, IReadOnlyList<Reading> readings, CancellationToken cancellationToken) =>
        AppendAsync(deviceId, readings, callerRetries: false, cancellationToken);

    /// <summary>
    /// As <see cref="AppendAsync(string, IReadOnlyList{Reading}, CancellationToken)"/>; with <paramref name="callerRetries"/>
    /// a failed append is not counted as lost (the caller holds the readings and appends them again, or reports them
    /// through <see cref="RecordLoss"/> if it has to let them go).
    /// </summary>
    public async ValueTask<BufferedChunk> AppendAsync(string deviceId, IReadOnlyList<Reading> readings, bool callerRetries, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(readings);
        if (readings.Count == 0) throw new ArgumentException("A chunk needs at least one reading.", nameof(readings));
        var request = new AppendRequest(deviceId, readings, callerRetries);
        await EnqueueAsync(request, cancellationToken).ConfigureAwait(false);
        return await request.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stored chunks whose first sequence is in [<paramref name="fromSequence"/>, <paramref name="toSequenceExclusive"/>),
    /// oldest first, stopping once <paramref name="maxReadings"/> is reached (at least one chunk). A chunk that
    /// cannot be decoded is skipped, dropped and announced as a gap.
    /// </summary>
    public async ValueTask<IReadOnlyList<BufferedChunk>> ReadAsync(ulong fromSequence, ulong toSequenceExclusive, int maxReadings, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReadings, 1);
        cancellationToken.ThrowIfCancellationRequested();
        var chunks = new List<BufferedChunk>();
        var corrupt = new List<CorruptChunk>();
        lock (_readLock)
        {
            if (_store is not { } store) return chunks;
            try { store.ReadRange(ToId(fromSequence), ToId(toSequenceExclusive), maxReadings, chunks, corrupt); }
            catch (SqliteException ex) { throw new BufferUnavailableException($"reading the buffer {Path} failed: {ex.Message}", ex); }
        }
        if (corrupt.Count > 0)
        {
            foreach (var c in corrupt) BufferLog.CorruptChunk(_logger, c.Id, c.DeviceId, (ulong)c.Id, c.LastSequence);
            await EnqueueAsync(new ChangeRequest(ChangeKind.DiscardCorrupt, [], corrupt), cancellationToken).ConfigureAwait(false);
        }
        return chunks;
    }

    /// <summary>
    /// Readings a caller could not keep (they never reached the buffer): announced upstream as a gap, with the
    /// readings lost while the store was unavailable, at the next successful commit.
    /// </summary>
    public void RecordLoss(string deviceId, IReadOnlyList<Reading> readings, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceId);
        ArgumentNullException.ThrowIfNull(readings);
        if (readings.Count == 0) return;
        long from = long.MaxValue, to = long.MinValue;
        foreach (var r in readings) (from, to) = (Math.Min(from, r.SourceTimeUs), Math.Max(to, r.SourceTimeUs));
        _losses.Enqueue((deviceId, from, to, readings.Count, reason));
    }

    /// <summary>Deletes delivered chunks (the broker acknowledged them). Batched with the next group commit.</summary>
    public ValueTask AcknowledgeAsync(IReadOnlyCollection<long> chunkIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        return chunkIds.Count == 0 ? ValueTask.CompletedTask
            : new ValueTask(EnqueueAsync(new ChangeRequest(ChangeKind.AcknowledgeChunks, [.. chunkIds]), cancellationToken));
    }

    /// <summary>Gaps not yet announced upstream (buffer full, corrupt chunks, readings lost while the store was unavailable).</summary>
    public ValueTask<IReadOnlyList<BufferedGap>> ReadGapsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_readLock)
        {
            if (_store is not { } store) return ValueTask.FromResult<IReadOnlyList<BufferedGap>>([]);
            try { return ValueTask.FromResult<IReadOnlyList<BufferedGap>>(store.ReadGaps()); }
            catch (SqliteException ex) { throw new BufferUnavailableException($"reading the buffer {Path} failed: {ex.Message}", ex); }
        }
    }

    /// <summary>Deletes gaps the broker acknowledged.</summary>
    public ValueTask AcknowledgeGapsAsync(IReadOnlyCollection<long> gapIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(gapIds);
        return gapIds.Count == 0 ? ValueTask.CompletedTask
            : new ValueTask(EnqueueAsync(new ChangeRequest(ChangeKind.AcknowledgeGaps, [.. gapIds]), cancellationToken));
    }

    /// <summary>Commits everything queued now instead of at the end of the commit interval.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken) =>
        new(EnqueueAsync(new ChangeRequest(ChangeKind.Flush, []), cancellationToken));

    public BufferStatistics GetStatistics()
    {
        long? oldest = null;
        bool available;
        lock (_readLock)
        {
            available = _store is not null;
            try { oldest = _store?.OldestTimeUs(); }
            catch (SqliteException) { oldest = null; }
        }
        var counters = Volatile.Read(ref _published);
        var persisted = _meter.Persisted;
        return new BufferStatistics(counters.Readings, counters.Chunks, FileLength(Path) + FileLength(Path + "-wal"), counters.EvictedTotal,
            _meter.PerDay(), oldest, Interlocked.Read(ref _commits), persisted.Total, persisted.LastFullDayBytes, available);
    }

    /// <summary>Commits what is queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        BufferStore? store;
        lock (_readLock) (store, _store) = (_store, null);
        if (store is not null)
        {
            BufferLog.Closed(_logger, store.Readings, store.Chunks, Interlocked.Read(ref _commits), _meter.PerDay());
            store.Dispose();
        }
        _lockFile?.Dispose();
    }

    /// <summary>Blocks until <see cref="DisposeAsync"/> is done; for containers that dispose synchronously.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Runs a statement on the write connection between commits (tests: PRAGMA max_page_count for SQLITE_FULL).</summary>
    internal Task ExecuteForTestsAsync(string sql) => Task.Run(async () =>
    {
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        lock (_readLock) _store?.ExecuteForTests(sql);
    });

    private async Task EnqueueAsync(WriteRequest request, CancellationToken cancellationToken)
    {
        try { await _queue.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false); }
        catch (ChannelClosedException) { throw new ObjectDisposedException(nameof(ReadingBuffer)); }
        if (request is ChangeRequest change) await change.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static long ToId(ulong sequence) => sequence > long.MaxValue ? long.MaxValue : (long)sequence;

    private static long FileLength(string path)
    {
        try { return new FileInfo(path) is { Exists: true } file ? file.Length : 0; }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// Bytes the buffer writes to the flash, so that an SD card's wear can be planned. Each page SQLite writes to the
/// WAL (SQLITE_DBSTATUS_CACHE_WRITE) costs a frame of page size + 24 bytes, and is later copied once into the main
/// file by a checkpoint: 2 × page + 24 per page is the estimate, an upper bound because a page changed by several
/// commits between two checkpoints is copied once. Filesystem metadata and the card's own write amplification are
/// not included. The bench compares the estimate with the kernel's /proc/self/io write_bytes.
/// </summary>
internal sealed class WriteMeter(TimeProvider time)
{
    private readonly long _openedAt = time.GetTimestamp();
    private long _pageSize = 4096;
    private long _lastPages;
    private long _sinceOpen;
    private PersistedWrites _persisted;

    public long SinceOpen => Interlocked.Read(ref _sinceOpen);

    public PersistedWrites Persisted => _persisted;

    /// <summary>Starts counting on a newly opened store, continuing the totals it persisted.</summary>
    public void Attach(long pageSize, PersistedWrites persisted)
    {
        _pageSize = pageSize;
        _lastPages = 0;
        _persisted = persisted;
    }

    /// <summary>Takes the connection's running page count after a commit and books the new pages to today.</summary>
    public PersistedWrites Add(long pagesWrittenSinceConnectionOpened)
    {
        var pages = pagesWrittenSinceConnectionOpened - _lastPages;
        _lastPages = pagesWrittenSinceConnectionOpened;
        var bytes = pages * (2 * _pageSize + 24);
        Interlocked.Add(ref _sinceOpen, bytes);
        var today = time.GetUtcNow().UtcDateTime.Date.Ticks / TimeSpan.TicksPerDay;
        var (total, day, dayBytes, lastFullDay) = _persisted;
        if (today != day)
        {
            // Only the day right before today is a "last full day"; after a longer stop there is no full day measured.
            lastFullDay = day != 0 && today == day + 1 ? dayBytes : lastFullDay;
            (day, dayBytes) = (today, 0);
        }
        _persisted = new PersistedWrites(total + bytes, day, dayBytes + bytes, lastFullDay);
        return _persisted;
    }

    /// <summary>Bytes since open scaled to 24 hours; the first minute counts as a minute so that one commit is not multiplied by 86,400.</summary>
    public long PerDay()
    {
        var elapsed = Math.Max(time.GetElapsedTime(_openedAt).TotalSeconds, 60);
        return (long)(SinceOpen * (86_400 / elapsed));
    }
}

using Microsoft.Extensions.Logging;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>The durable buffer's log messages: event ids 2300-2399.</summary>
internal static partial class BufferLog
{
    [LoggerMessage(2300, LogLevel.Information, "Buffer {Path}: {Readings} readings in {Chunks} chunks waiting for delivery, {Gaps} gap(s) to announce, next sequence {NextSequence}, {BytesOnDisk} bytes on disk")]
    public static partial void Opened(ILogger logger, string path, long readings, long chunks, long gaps, ulong nextSequence, long bytesOnDisk);

    // The crash test reads this line: it is written only after the commit returned, so a reported range is durable.
    [LoggerMessage(2301, LogLevel.Debug, "Committed sequences {FirstSequence}-{LastSequence} ({Chunks} chunks, {Readings} readings)")]
    public static partial void Committed(ILogger logger, ulong firstSequence, ulong lastSequence, int chunks, int readings);

    [LoggerMessage(2302, LogLevel.Warning, "Buffer full ({UsedBytes} bytes used, limit {MaxBytes}): evicted the oldest {Readings} readings ({Chunks} chunks, sequences {FirstSequence}-{LastSequence}, devices {Devices}); a gap is announced upstream ({EvictedTotal} evicted in total)")]
    public static partial void Evicted(ILogger logger, long usedBytes, long maxBytes, long readings, long chunks, ulong firstSequence, ulong lastSequence, string devices, long evictedTotal);

    [LoggerMessage(2303, LogLevel.Error, "Buffer {Path} cannot be used: {Reason}. Polling continues but readings are not stored; retrying every {RetryInterval}")]
    public static partial void Unavailable(ILogger logger, string path, string reason, TimeSpan retryInterval, Exception? exception);

    [LoggerMessage(2304, LogLevel.Warning, "Buffer is writable again; {Lost} readings polled meanwhile were lost and are announced upstream as a gap (sequences {FirstSequence}-{LastSequence})")]
    public static partial void Recovered(ILogger logger, long lost, ulong firstSequence, ulong lastSequence);

    [LoggerMessage(2305, LogLevel.Error, "Buffer {Path} is damaged ({Reason}); it is kept as {Aside} and its readable data is copied into a fresh buffer")]
    public static partial void Corrupt(ILogger logger, string path, string reason, string aside);

    [LoggerMessage(2306, LogLevel.Warning, "Salvaged {Chunks} chunks ({Readings} readings) and {Gaps} gap(s) from {Aside}; {Skipped} damaged region(s) could not be read (first error: {FirstError}); next sequence {NextSequence}")]
    public static partial void Salvaged(ILogger logger, long chunks, long readings, long gaps, string aside, int skipped, string firstError, ulong nextSequence);

    [LoggerMessage(2307, LogLevel.Warning, "Buffer chunk {Id} ({DeviceId}, sequences {FirstSequence}-{LastSequence}) cannot be decoded; it is dropped and announced upstream as a gap")]
    public static partial void CorruptChunk(ILogger logger, long id, string deviceId, ulong firstSequence, ulong lastSequence);

    [LoggerMessage(2308, LogLevel.Error, "{DeviceId}: {Count} readings could not be buffered and are held in memory ({Held} held, at most {MaxHeld}) until the buffer takes them: {Reason}")]
    public static partial void ReadingsHeld(ILogger logger, string deviceId, int count, int held, int maxHeld, string reason);

    [LoggerMessage(2314, LogLevel.Error, "{DeviceId}: the in-memory hold is full ({MaxHeld} readings): its oldest {Count} readings are lost ({Lost} lost so far) and announced upstream as a gap")]
    public static partial void HeldReadingsDropped(ILogger logger, string deviceId, int count, long lost, int maxHeld);

    [LoggerMessage(2315, LogLevel.Warning, "Every reading held in memory while the buffer was unavailable is now stored")]
    public static partial void HeldReadingsStored(ILogger logger);

    [LoggerMessage(2309, LogLevel.Error, "Buffer commit of {Requests} request(s) failed: {Reason}")]
    public static partial void CommitFailed(ILogger logger, int requests, string reason, Exception? exception);

    [LoggerMessage(2310, LogLevel.Error, "Buffer {Path} has schema version {Found}, newer than this agent's {Known} (a downgrade?); it is kept as {Aside} and a fresh buffer is started")]
    public static partial void NewerSchema(ILogger logger, string path, long found, int known, string aside);

    [LoggerMessage(2311, LogLevel.Information, "Buffer closed: {Readings} readings in {Chunks} chunks kept for delivery, {Commits} commits, about {BytesPerDay} bytes/day written")]
    public static partial void Closed(ILogger logger, long readings, long chunks, long commits, long bytesPerDay);

    [LoggerMessage(2312, LogLevel.Warning, "Buffer eviction failed: {Reason}")]
    public static partial void EvictionFailed(ILogger logger, string reason, Exception exception);

    [LoggerMessage(2313, LogLevel.Warning, "Salvage of {Aside}: the sequence counter was unreadable; sequences continue from {NextSequence} (the higher of the clock in microseconds and the newest salvaged sequence), above any used before")]
    public static partial void SequenceFromClock(ILogger logger, string aside, ulong nextSequence);
}

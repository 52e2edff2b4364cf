using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Buffer;

/// <summary>
/// One stored device poll. <paramref name="Id"/> is what <see cref="ReadingBuffer.AcknowledgeAsync"/> takes; it
/// equals <paramref name="FirstSequence"/>. Every reading carries its own sequence and device id.
/// </summary>
public sealed record BufferedChunk(long Id, ulong FirstSequence, ulong LastSequence, string DeviceId, long FirstTimeUs, IReadOnlyList<Reading> Readings);

/// <summary>A gap to announce upstream until acknowledged with <see cref="ReadingBuffer.AcknowledgeGapsAsync"/>.</summary>
public sealed record BufferedGap(long Id, Gap Gap);

/// <summary>What the buffer holds and what it costs the flash.</summary>
/// <param name="ReadingsBuffered">Readings stored and not yet acknowledged.</param>
/// <param name="ChunksBuffered">Chunks (device polls) stored and not yet acknowledged.</param>
/// <param name="BytesOnDisk">The database file plus its write-ahead log.</param>
/// <param name="ReadingsEvictedTotal">Readings dropped because the buffer was full, over the store's life (persisted).</param>
/// <param name="BytesWrittenPerDay">Bytes written since the buffer was opened, scaled to 24 hours (an estimate; see <see cref="WriteMeter"/>).</param>
/// <param name="OldestTimeUs">Source time of the oldest stored reading; null when empty.</param>
/// <param name="CommitsTotal">Write transactions since the buffer was opened.</param>
/// <param name="BytesWrittenTotal">Bytes written over the store's life (persisted).</param>
/// <param name="BytesWrittenLastFullDay">Bytes written on the last complete UTC day; null until one has passed.</param>
/// <param name="Available">False while the store cannot be written (disk full, folder not writable).</param>
public sealed record BufferStatistics(
    long ReadingsBuffered,
    long ChunksBuffered,
    long BytesOnDisk,
    long ReadingsEvictedTotal,
    long BytesWrittenPerDay,
    long? OldestTimeUs,
    long CommitsTotal,
    long BytesWrittenTotal = 0,
    long? BytesWrittenLastFullDay = null,
    bool Available = true);

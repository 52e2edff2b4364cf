using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.EdgeAgent.Buffer;
using Nexwatt.Protos.V1;

namespace Nexwatt.Bench.Buffer;

/// <summary>The agent's own buffer: SQLite WAL, synchronous=FULL, group commit, chunks encoded by <see cref="ChunkCodec"/>.</summary>
internal sealed class SqliteBufferContender(string path) : IBufferContender
{
    public const string Name = "ReadingBuffer (SQLite, ours)";
    private const int DrainReadings = 10_000;

    private readonly ReadingBuffer _buffer = ReadingBuffer.Open(
        new BufferOptions { Path = path, MaxBytes = long.MaxValue / 4 }, TimeProvider.System, NullLogger.Instance);

    public long BytesOnDisk => _buffer.GetStatistics().BytesOnDisk;

    public async ValueTask<long> AppendAsync(string deviceId, IReadOnlyList<Reading> readings, CancellationToken cancellationToken) =>
        (await _buffer.AppendAsync(deviceId, readings, cancellationToken).ConfigureAwait(false)).Id;

    public async ValueTask<long> DrainAsync(CancellationToken cancellationToken)
    {
        // The uplink's way: read by sequence cursor, acknowledge without waiting for each acknowledgement's commit.
        ulong cursor = 0;
        long drained = 0;
        var acks = new List<Task>();
        while (await _buffer.ReadAsync(cursor, ulong.MaxValue, DrainReadings, cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
        {
            foreach (var chunk in batch) drained += chunk.Readings.Count;
            acks.Add(_buffer.AcknowledgeAsync([.. batch.Select(c => c.Id)], cancellationToken).AsTask());
            cursor = batch[^1].LastSequence + 1;
        }
        await Task.WhenAll(acks).ConfigureAwait(false);
        await _buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
        return drained;
    }

    public async ValueTask<IReadOnlySet<long>> StoredIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new HashSet<long>();
        ulong cursor = 0;
        while (await _buffer.ReadAsync(cursor, ulong.MaxValue, DrainReadings, cancellationToken).ConfigureAwait(false) is { Count: > 0 } batch)
        {
            foreach (var chunk in batch) ids.Add(chunk.Id);
            cursor = batch[^1].LastSequence + 1;
        }
        return ids;
    }

    public ValueTask DisposeAsync() => _buffer.DisposeAsync();
}

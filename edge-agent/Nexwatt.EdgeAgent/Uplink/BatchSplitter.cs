using Google.Protobuf;
using Nexwatt.Protos.V1;

namespace Nexwatt.EdgeAgent.Uplink;

/// <summary>
/// Cuts a telemetry batch into parts that each encode to at most a byte limit (the largest message the path to the
/// collector carries), readings and gaps kept in order. A part carries the batch's header (site, boot id, historical,
/// sent time) with the sequences of its own readings. A single reading or gap too large for any part cannot be sent
/// on this path at all: it is returned apart, for the caller to count and report.
/// </summary>
internal static class BatchSplitter
{
    public sealed record Result(IReadOnlyList<TelemetryBatch> Parts, IReadOnlyList<Reading> OversizedReadings, IReadOnlyList<Gap> OversizedGaps);

    public static Result Split(TelemetryBatch batch, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        if (batch.CalculateSize() <= maxBytes) return new Result([batch], [], []);

        var header = batch.Clone();
        header.Readings.Clear();
        header.Gaps.Clear();
        header.FirstSequence = 0;
        header.LastSequence = 0;
        var headerBase = header.CalculateSize();
        // Room for a part's first and last sequence, at their largest: a part's size never exceeds what is counted.
        var headerBytes = headerBase + 2 * (1 + CodedOutputStream.ComputeUInt64Size(ulong.MaxValue));

        var parts = new List<TelemetryBatch>();
        var oversizedReadings = new List<Reading>();
        var oversizedGaps = new List<Gap>();
        TelemetryBatch? current = null;
        var currentBytes = 0;

        void Add(IMessage item, ulong sequence, Action<TelemetryBatch> append, Action tooLarge)
        {
            // Field tag (one byte for fields 6 and 7) + length prefix + the message.
            var size = item.CalculateSize();
            var itemBytes = 1 + CodedOutputStream.ComputeLengthSize(size) + size;
            // Alone in a part, exactly: the header, its own sequence as first and last, the item.
            var sequenceBytes = sequence == 0 ? 0 : 2 * (1 + CodedOutputStream.ComputeUInt64Size(sequence));
            if (headerBase + sequenceBytes + itemBytes > maxBytes)
            {
                tooLarge();
                return;
            }
            if (current is null || currentBytes + itemBytes > maxBytes)
            {
                current = header.Clone();
                parts.Add(current);
                currentBytes = headerBytes;
            }
            append(current);
            currentBytes += itemBytes;
        }

        foreach (var reading in batch.Readings)
            Add(reading, reading.Sequence, part => part.Readings.Add(reading), () => oversizedReadings.Add(reading));
        // Gaps after the readings, in parts of their own: a part never mixes the two, as the pump sends them apart too.
        current = null;
        foreach (var gap in batch.Gaps)
            Add(gap, 0, part => part.Gaps.Add(gap), () => oversizedGaps.Add(gap));

        foreach (var part in parts.Where(p => p.Readings.Count > 0))
        {
            part.FirstSequence = part.Readings[0].Sequence;
            part.LastSequence = part.Readings[^1].Sequence;
        }
        return new Result(parts, oversizedReadings, oversizedGaps);
    }
}

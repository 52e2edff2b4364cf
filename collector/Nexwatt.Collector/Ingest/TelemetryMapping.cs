using Nexwatt.Collector.Domain;
using Nexwatt.Protos.V1;
using Nexwatt.Protos;

namespace Nexwatt.Collector.Ingest;

/// <summary>Wire messages to domain records. The site id is always the caller's proven identity, never the payload's.</summary>
internal static class TelemetryMapping
{
    public static IngestedReading ToIngested(string siteId, Reading reading, DateTimeOffset receivedTime, bool historical) => new(
        siteId,
        reading.Sequence,
        reading.DeviceId,
        (ushort)Math.Min(reading.ModelId, ushort.MaxValue),
        (int)Math.Min(reading.ModelInstance, int.MaxValue),
        reading.Point,
        reading.HasValue ? reading.Value : null,
        string.IsNullOrEmpty(reading.Text) ? null : reading.Text,
        reading.Unit,
        reading.Quality == Quality.NotImplemented ? EdgeQuality.NotImplemented : EdgeQuality.Good,
        FromMicroseconds(reading.SourceTimeUs),
        receivedTime,
        historical);

    public static GapRecord ToGap(string siteId, Gap gap) => new(
        siteId, gap.FirstSequence, gap.LastSequence, gap.ReadingsLost,
        FromMicroseconds(gap.FromTimeUs), FromMicroseconds(gap.ToTimeUs), gap.DeviceIds.ToArray(),
        string.IsNullOrEmpty(gap.Reason) ? "evicted at the edge" : gap.Reason);

    /// <summary>Checks what the store cannot: a reading without a sequence or a device cannot be deduplicated or attributed.</summary>
    public static string? Problem(TelemetryBatch batch)
    {
        foreach (var reading in batch.Readings)
        {
            if (reading.Sequence == 0) return "a reading has no sequence number";
            if (string.IsNullOrEmpty(reading.DeviceId)) return $"reading {reading.Sequence} has no device id";
            if (string.IsNullOrEmpty(reading.Point)) return $"reading {reading.Sequence} has no point";
            if (reading.SourceTimeUs <= 0) return $"reading {reading.Sequence} has no source time";
        }
        return null;
    }

    // A time before the epoch is no device's: it is read as the epoch, which the normalizer flags as stale.
    private static DateTimeOffset FromMicroseconds(long microseconds) => WireTime.FromMicroseconds(Math.Max(0, microseconds));
}

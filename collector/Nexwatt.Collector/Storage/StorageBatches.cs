using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Storage;

/// <summary>Batch preparation shared by both stores, so that both give the same answer for the same input.</summary>
internal static class StorageBatches
{
    /// <summary>
    /// The newest sample per (asset, measurement) in a batch: what may replace the stored latest value. Ties on
    /// source time go to the higher sequence. A sample flagged <see cref="QualityFlags.Future"/> never may: a clock
    /// years ahead would otherwise pin the latest value, fleet totals and dispatch candidates for good.
    /// </summary>
    public static IReadOnlyCollection<NormalizedSample> NewestPerMeasurement(IReadOnlyList<NormalizedSample> samples)
    {
        var newest = new Dictionary<(string, Measurement), NormalizedSample>();
        foreach (var sample in samples)
        {
            if (sample.Flags.HasFlag(QualityFlags.Future)) continue;
            var key = (sample.AssetId, sample.Measurement);
            if (!newest.TryGetValue(key, out var held) || IsNewer(sample, held)) newest[key] = sample;
        }
        return newest.Values;
    }

    /// <summary>One interval per key, the last one given winning (an upsert of a batch behaves like upserts in order).</summary>
    public static IReadOnlyList<IntervalRecord> LastPerKey(IReadOnlyList<IntervalRecord> intervals)
    {
        var last = new Dictionary<(string, Measurement, long), int>(intervals.Count);
        for (var i = 0; i < intervals.Count; i++)
            last[(intervals[i].AssetId, intervals[i].Measurement, StorageCodes.ToMicroseconds(intervals[i].Start))] = i;
        if (last.Count == intervals.Count) return intervals;
        var kept = new List<IntervalRecord>(last.Count);
        for (var i = 0; i < intervals.Count; i++)
            if (last[(intervals[i].AssetId, intervals[i].Measurement, StorageCodes.ToMicroseconds(intervals[i].Start))] == i) kept.Add(intervals[i]);
        return kept;
    }

    private static bool IsNewer(NormalizedSample candidate, NormalizedSample held) =>
        candidate.SourceTime > held.SourceTime || (candidate.SourceTime == held.SourceTime && candidate.Sequence > held.Sequence);
}

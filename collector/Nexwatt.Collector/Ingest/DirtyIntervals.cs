using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// The (asset, measurement) spans whose intervals must be recomputed because new samples or gaps touched them.
/// Ingest marks, the interval worker takes; overlapping marks coalesce, so a burst of batches costs one recompute.
/// </summary>
internal sealed class DirtyIntervals
{
    private readonly object _gate = new();
    private Dictionary<(string AssetId, Measurement Measurement), (DateTimeOffset From, DateTimeOffset To)> _spans = [];

    public void Mark(string assetId, Measurement measurement, DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            var key = (assetId, measurement);
            _spans[key] = _spans.TryGetValue(key, out var span) ? (Min(span.From, from), Max(span.To, to)) : (from, to);
        }
    }

    public IReadOnlyDictionary<(string AssetId, Measurement Measurement), (DateTimeOffset From, DateTimeOffset To)> TakeAll()
    {
        lock (_gate)
        {
            var taken = _spans;
            _spans = [];
            return taken;
        }
    }

    public int Count { get { lock (_gate) return _spans.Count; } }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

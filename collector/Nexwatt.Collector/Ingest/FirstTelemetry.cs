using System.Collections.Concurrent;

namespace Nexwatt.Collector.Ingest;

/// <summary>Which sites have sent telemetry since start, so that the first batch of each is logged once.</summary>
internal sealed class FirstTelemetry
{
    // Only proven, registered sites get here; the bound guards the process should that ever change.
    private const int MaxSites = 100_000;
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);

    /// <summary>True the first time a site is seen (and never past the bound).</summary>
    public bool IsFirst(string siteId) => _seen.Count < MaxSites && _seen.TryAdd(siteId, 0);
}

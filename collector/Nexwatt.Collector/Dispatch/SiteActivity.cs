using System.Collections.Concurrent;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// When each site was last heard from (telemetry over either transport, an MQTT birth, an open setpoint stream)
/// and whether its MQTT death message came after that. In memory: after a restart, telemetry stored in the
/// latest-value table stands in for it (see <see cref="DispatchCandidates"/>).
/// </summary>
public sealed class SiteActivity(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _offline = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _streams = new(StringComparer.Ordinal);

    public void Seen(string siteId)
    {
        _seen[siteId] = time.GetUtcNow();
        _offline.TryRemove(siteId, out _);
    }

    /// <summary>The site's MQTT will (OFFLINE status): it is gone until heard from again.</summary>
    public void Offline(string siteId) => _offline[siteId] = time.GetUtcNow();

    public void StreamOpened(string siteId)
    {
        _streams.AddOrUpdate(siteId, 1, (_, n) => n + 1);
        Seen(siteId);
    }

    public void StreamClosed(string siteId)
    {
        _streams.AddOrUpdate(siteId, 0, (_, n) => Math.Max(0, n - 1));
        _seen[siteId] = time.GetUtcNow();
    }

    public DateTimeOffset? LastSeen(string siteId) => _seen.TryGetValue(siteId, out var at) ? at : null;

    /// <summary>
    /// True when the site is reachable: a setpoint stream is open, or it was heard from (here, or by
    /// <paramref name="lastTelemetry"/>) within <paramref name="silence"/> and has not announced its death since.
    /// </summary>
    public bool IsOnline(string siteId, DateTimeOffset? lastTelemetry, TimeSpan silence)
    {
        if (_streams.TryGetValue(siteId, out var streams) && streams > 0) return true;
        if (_offline.ContainsKey(siteId)) return false;
        var last = LastSeen(siteId);
        if (lastTelemetry is { } telemetry && (last is null || telemetry > last)) last = telemetry;
        return last is { } at && time.GetUtcNow() - at <= silence;
    }
}

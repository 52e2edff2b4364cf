using System.Collections.Concurrent;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// When each site was last heard from, in two kinds.
/// <list type="bullet">
/// <item>Evidence (<see cref="Seen"/>, the setpoint streams): telemetry over either transport, an acknowledgement the
/// collector recorded, an open gRPC setpoint stream. Each comes from a connection proven to be the site's (its
/// certificate or token, or the broker's ACL on the site's own topics) and carries data only the site has.</item>
/// <item>Hints (<see cref="Hint"/>): the MQTT status. An OFFLINE status is also what the broker publishes as a will
/// when one of the site's connections ends, while the site may well be up on another (a restarted agent, a broker
/// that lost the session), and anyone who can write the topic can forge one.</item>
/// </list>
/// New allocations take both (<see cref="IsOnline"/>: a site that said it is gone is left out until heard from
/// again); a running dispatch fails a site only on evidence (<see cref="HasEvidence"/>): its telemetry and
/// acknowledgements stopped, never because of a status alone. In memory: after a restart, telemetry stored in the
/// latest-value table stands in for it (see <see cref="DispatchCandidates"/>).
/// </summary>
public sealed class SiteActivity(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _evidence = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _hintedOnline = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _hintedOffline = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _streams = new(StringComparer.Ordinal);

    /// <summary>Evidence that the site is up: its telemetry, a recorded acknowledgement.</summary>
    public void Seen(string siteId)
    {
        _evidence[siteId] = time.GetUtcNow();
        _hintedOffline.TryRemove(siteId, out _);
    }

    /// <summary>An MQTT status: online (a birth, not retained) or offline (a death or a will). Only a hint; see the class.</summary>
    public void Hint(string siteId, bool online)
    {
        if (online)
        {
            _hintedOnline[siteId] = time.GetUtcNow();
            _hintedOffline.TryRemove(siteId, out _);
        }
        else
        {
            _hintedOffline[siteId] = time.GetUtcNow();
        }
    }

    public void StreamOpened(string siteId)
    {
        _streams.AddOrUpdate(siteId, 1, (_, n) => n + 1);
        Seen(siteId);
    }

    public void StreamClosed(string siteId)
    {
        _streams.AddOrUpdate(siteId, 0, (_, n) => Math.Max(0, n - 1));
        _evidence[siteId] = time.GetUtcNow();
    }

    /// <summary>The last evidence or hint that the site is up.</summary>
    public DateTimeOffset? LastSeen(string siteId)
    {
        DateTimeOffset? evidence = _evidence.TryGetValue(siteId, out var e) ? e : null;
        DateTimeOffset? hint = _hintedOnline.TryGetValue(siteId, out var h) ? h : null;
        return evidence > hint || hint is null ? evidence : hint;
    }

    /// <summary>The last evidence that the site is up (telemetry, a recorded acknowledgement, a setpoint stream).</summary>
    /// <summary>Every site with telemetry or a stream since start.</summary>
    public IReadOnlyCollection<string> KnownSites() => [.. _evidence.Keys];

    public DateTimeOffset? LastEvidence(string siteId) => _evidence.TryGetValue(siteId, out var at) ? at : null;

    /// <summary>True when the site's last status said OFFLINE and no evidence or online status came after it.</summary>
    public bool IsHintedOffline(string siteId) => _hintedOffline.ContainsKey(siteId);

    /// <summary>
    /// For new allocations: a setpoint stream is open, or the site was heard from (here, or by
    /// <paramref name="lastTelemetry"/>) within <paramref name="silence"/> and has not announced its death since.
    /// </summary>
    public bool IsOnline(string siteId, DateTimeOffset? lastTelemetry, TimeSpan silence)
    {
        if (_streams.TryGetValue(siteId, out var streams) && streams > 0) return true;
        if (_hintedOffline.ContainsKey(siteId)) return false;
        var last = LastSeen(siteId);
        if (lastTelemetry is { } telemetry && (last is null || telemetry > last)) last = telemetry;
        return last is { } at && time.GetUtcNow() - at <= silence;
    }

    /// <summary>
    /// For a running dispatch: a setpoint stream is open, or evidence came within <paramref name="silence"/>. Statuses
    /// count for nothing here, either way: an OFFLINE status cannot remove a site that still sends telemetry, and an
    /// ONLINE one cannot keep a silent site in.
    /// </summary>
    public bool HasEvidence(string siteId, TimeSpan silence)
    {
        if (_streams.TryGetValue(siteId, out var streams) && streams > 0) return true;
        return LastEvidence(siteId) is { } at && time.GetUtcNow() - at <= silence;
    }
}

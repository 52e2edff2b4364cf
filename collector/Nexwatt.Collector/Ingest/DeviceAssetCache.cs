using System.Collections.Concurrent;
using Nexwatt.Collector.Domain;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// Which asset a site's device reports for, remembered for a short time: ingest asks it once per device per batch,
/// so without it every batch costs one store query per device. "No asset" is remembered too (an unlinked device keeps
/// sending). This collector's registry calls <see cref="Invalidate"/> after every change of an asset, so its own
/// changes show at once.
/// </summary>
/// <remarks>
/// Answers expire because another collector instance on the same database may change the registry, and nothing tells
/// this one: its changes reach this collector's ingest within the cache duration (CollectorOptions.AssetLookupCacheDuration).
/// A duration of zero turns the cache off.
/// </remarks>
public sealed class DeviceAssetCache
{
    private readonly ICollectorStore _store;
    private readonly TimeProvider _time;
    private readonly TimeSpan _duration;
    private readonly ConcurrentDictionary<(string SiteId, string DeviceId), Entry> _entries = new();
    // Bumped by Invalidate. An entry keeps the generation read before its query: a query that overlapped a change may
    // have read the old registry, so its answer is never used once the generation moved on (no lock needed).
    private long _generation;
    private long _nextSweep;

    /// <summary>Creates an empty cache over <paramref name="store"/>; answers are kept for <paramref name="duration"/>.</summary>
    public DeviceAssetCache(ICollectorStore store, TimeProvider time, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        _store = store;
        _time = time;
        _duration = duration;
        _nextSweep = time.GetTimestamp();
    }

    /// <summary>The active asset linked to the site's device, or null; from the store when not known or expired.</summary>
    public async ValueTask<AssetRecord?> FindAsync(string siteId, string deviceId, CancellationToken cancellationToken)
    {
        var key = (siteId, deviceId);
        var generation = Interlocked.Read(ref _generation);
        var now = _time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.Generation == generation && _time.GetElapsedTime(entry.Loaded, now) < _duration)
            return entry.Asset;

        var asset = await _store.FindAssetByDeviceAsync(siteId, deviceId, cancellationToken).ConfigureAwait(false);
        if (_duration > TimeSpan.Zero)
        {
            // Aged from before the query: an answer is never trusted for longer than the duration after it was asked.
            _entries[key] = new Entry(asset, now, generation);
            SweepIfDue(now);
        }
        return asset;
    }

    /// <summary>Forgets every answer: called after this collector changed an asset (a link, a retirement, a nameplate).</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    // Expired entries are replaced only when their device sends again: drop the rest once per duration, so that the
    // cache holds about the devices seen lately, not every device id ever sent.
    private void SweepIfDue(long now)
    {
        var due = Interlocked.Read(ref _nextSweep);
        if (now < due || Interlocked.CompareExchange(ref _nextSweep, now + (long)(_duration.TotalSeconds * _time.TimestampFrequency), due) != due) return;
        foreach (var (key, entry) in _entries)
            if (_time.GetElapsedTime(entry.Loaded, now) >= _duration) _entries.TryRemove(new KeyValuePair<(string, string), Entry>(key, entry));
    }

    private readonly record struct Entry(AssetRecord? Asset, long Loaded, long Generation);
}

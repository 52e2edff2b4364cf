using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Nexwatt.Collector.Ingest;

/// <summary>
/// Every MQTT message the collector takes from the broker and does not use (telemetry, acknowledgements, status), counted by
/// reason and logged: the first refusal of a (site, reason) at once, then at most once per <see cref="LogInterval"/> with
/// the number refused meanwhile, so that a site (or a stranger) flooding the broker cannot flood the log. The memory it
/// keeps is bounded whatever the site ids: past <see cref="MaxTrackedKeys"/> keys, the oldest are forgotten first.
/// </summary>
public sealed class MqttRefusals(TimeProvider time, ILogger<MqttRefusals> logger)
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    internal const int MaxTrackedKeys = 4096;
    private const int MaxSiteChars = 128;

    private readonly ConcurrentDictionary<string, long> _byReason = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Site, string Reason), Window> _windows = new();
    private long _total;

    /// <summary>(site, reason) keys remembered for log throttling; at most about <see cref="MaxTrackedKeys"/>.</summary>
    internal int TrackedKeys => _windows.Count;

    /// <summary>Messages refused so far, all reasons.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Messages refused so far for <paramref name="reason"/> (one of <see cref="MqttRefusalReasons"/>).</summary>
    public long Count(string reason) => _byReason.TryGetValue(reason, out var n) ? n : 0;

    /// <summary>Counts one refused message and logs it unless this (site, reason) was logged within the interval.</summary>
    /// <param name="site">The topic's site segment, or the topic when it names no site.</param>
    /// <param name="reason">A short fixed reason, one of <see cref="MqttRefusalReasons"/>.</param>
    /// <param name="detail">What was wrong with this message (logged as is; must not carry secrets).</param>
    public void Refuse(string site, string reason, string detail)
    {
        Interlocked.Increment(ref _total);
        _byReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
        // A hostile topic can be 64 KiB long: the log and the key keep a bounded prefix of it.
        if (site.Length > MaxSiteChars) site = site[..MaxSiteChars] + "…";
        var now = time.GetUtcNow();
        var key = (site, reason);
        var window = _windows.GetOrAdd(key, _ => new Window());
        long suppressed;
        lock (window)
        {
            if (window.LoggedAt is { } last && now - last < LogInterval)
            {
                window.Suppressed++;
                return;
            }
            suppressed = window.Suppressed;
            window.Suppressed = 0;
            window.LoggedAt = now;
        }
        if (_windows.Count > MaxTrackedKeys) Prune(now);
        IngestLog.MqttRefused(logger, reason, site, detail, suppressed, Count(reason));
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, window) in _windows)
            if (window.LoggedAt is not { } at || now - at >= LogInterval) _windows.TryRemove(key, out _);
        // Still full of keys logged within the interval (a flood of distinct site ids): forget the oldest half.
        if (_windows.Count > MaxTrackedKeys)
            foreach (var (key, _) in _windows.OrderBy(e => e.Value.LoggedAt).Take(_windows.Count / 2).ToList()) _windows.TryRemove(key, out _);
    }

    private sealed class Window
    {
        public DateTimeOffset? LoggedAt;
        public long Suppressed;
    }
}

/// <summary>Why an MQTT message was refused: the keys of <see cref="MqttRefusals.Count"/>.</summary>
public static class MqttRefusalReasons
{
    public const string NotASiteTopic = "not a site topic";
    public const string Undecodable = "undecodable";
    public const string UnregisteredSite = "unregistered site";
    public const string ForeignSite = "names another site";
    public const string InvalidTelemetry = "invalid telemetry";
    public const string InvalidAcknowledgement = "invalid acknowledgement";

    public static readonly IReadOnlyList<string> All = [NotASiteTopic, Undecodable, UnregisteredSite, ForeignSite, InvalidTelemetry, InvalidAcknowledgement];
}

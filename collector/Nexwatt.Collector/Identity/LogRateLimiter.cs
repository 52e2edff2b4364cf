using System.Collections.Concurrent;

namespace Nexwatt.Collector.Identity;

/// <summary>
/// At most <see cref="LinesPerWindow"/> log lines per key (a site, a peer address) per <see cref="Window"/>; what is
/// held back is counted and handed to the next line allowed for that key, so a flood is bounded and still told.
/// </summary>
internal sealed class LogRateLimiter(TimeProvider time)
{
    public const int LinesPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Cleared when it grows past this, which only costs a few extra lines.
    private const int MaxKeys = 10_000;
    private readonly ConcurrentDictionary<string, KeyWindow> _keys = new(StringComparer.Ordinal);

    /// <summary>True when a line may be logged for the key now; <paramref name="heldBack"/> counts the lines held back before it.</summary>
    public bool TryTake(string key, out int heldBack)
    {
        if (_keys.Count > MaxKeys) _keys.Clear();
        var window = _keys.GetOrAdd(key, static _ => new KeyWindow());
        var now = time.GetTimestamp();
        lock (window)
        {
            if (window.Started == 0 || time.GetElapsedTime(window.Started, now) >= Window)
            {
                window.Started = now;
                window.Lines = 0;
            }
            if (window.Lines >= LinesPerWindow)
            {
                window.Held++;
                heldBack = 0;
                return false;
            }
            window.Lines++;
            heldBack = window.Held;
            window.Held = 0;
            return true;
        }
    }

    /// <summary>Lines held back and not yet reported by a later line.</summary>
    public long HeldBack
    {
        get
        {
            long held = 0;
            foreach (var window in _keys.Values)
                lock (window) held += window.Held;
            return held;
        }
    }

    private sealed class KeyWindow
    {
        public long Started;
        public int Lines;
        public int Held;
    }
}

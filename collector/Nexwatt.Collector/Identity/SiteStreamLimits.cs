using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Nexwatt.Collector.GrpcHosting;

namespace Nexwatt.Collector.Identity;

/// <summary>
/// Counts the long-lived calls each proven site holds open, per kind, so that one site (or a stolen token) cannot
/// hold an unbounded number of streams and the memory and tasks behind them.
/// </summary>
internal sealed partial class SiteStreamLimits(ILogger<SiteStreamLimits> logger)
{
    private readonly ConcurrentDictionary<(string Kind, string SiteId), int> _open = new();

    /// <summary>Takes a place for the call, or throws ResourceExhausted naming the limit; dispose the lease when the call ends.</summary>
    public Lease Acquire(ServerCallContext context, string kind, string siteId, int limit)
    {
        var key = (kind, siteId);
        while (true)
        {
            var current = _open.GetOrAdd(key, 0);
            if (current >= limit)
            {
                LimitReached(logger, siteId, kind, current);
                throw context.Refuse(StatusCode.ResourceExhausted, $"site '{siteId}' already holds {current} {kind} stream(s), the most allowed; close one first");
            }
            if (_open.TryUpdate(key, current + 1, current)) return new Lease(this, key);
        }
    }

    [LoggerMessage(5093, LogLevel.Warning, "Site {SiteId}: refused one more {Kind} stream, {Open} already open (the limit)")]
    private static partial void LimitReached(ILogger logger, string siteId, string kind, int open);

    public int Open(string kind, string siteId) => _open.GetValueOrDefault((kind, siteId));

    private void Release((string, string) key)
    {
        while (true)
        {
            var current = _open.GetValueOrDefault(key);
            if (current <= 1)
            {
                // Removing at zero keeps the map as small as the set of sites with an open stream.
                if (_open.TryRemove(new KeyValuePair<(string, string), int>(key, current))) return;
                if (!_open.ContainsKey(key)) return;
                continue;
            }
            if (_open.TryUpdate(key, current - 1, current)) return;
        }
    }

    public sealed class Lease(SiteStreamLimits owner, (string, string) key) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release(key);
        }
    }
}

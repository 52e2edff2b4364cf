using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nexwatt.Protos.V1;

namespace Nexwatt.Collector.Dispatch;

/// <summary>
/// Hands issued setpoints to the open gRPC setpoint streams of their site. Each stream has a bounded queue that
/// drops its oldest entry when full (a stalled agent must not hold up the dispatch service): whatever is dropped
/// is counted and logged, re-sent every ResendInterval until acknowledged, and a reconnecting stream gets every live
/// setpoint anyway.
/// </summary>
public sealed class SetpointHub(ILogger<SetpointHub>? logger = null)
{
    internal const int StreamCapacity = 64;
    private readonly ILogger _logger = logger ?? NullLogger<SetpointHub>.Instance;
    private long _pushedOut;

    /// <summary>Setpoints pushed out of a full stream queue before the stream took them (each logged).</summary>
    public long SetpointsPushedOut => Interlocked.Read(ref _pushedOut);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _sites = new(StringComparer.Ordinal);

    public Subscription Subscribe(string siteId)
    {
        var subscription = new Subscription(this, siteId);
        _sites.GetOrAdd(siteId, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Queues <paramref name="setpoint"/> on every open stream of the site; returns how many streams got it.</summary>
    public int Publish(string siteId, SignedSetpoint setpoint)
    {
        if (!_sites.TryGetValue(siteId, out var subscriptions)) return 0;
        var count = 0;
        foreach (var subscription in subscriptions.Keys)
            if (subscription.Queue.Writer.TryWrite(setpoint)) count++;
        return count;
    }

    /// <summary>One open stream of one site.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly SetpointHub _hub;

        internal Subscription(SetpointHub hub, string siteId)
        {
            _hub = hub;
            SiteId = siteId;
            Queue = Channel.CreateBounded<SignedSetpoint>(
                new BoundedChannelOptions(StreamCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
                dropped =>
                {
                    Interlocked.Increment(ref hub._pushedOut);
                    DispatchLog.SetpointPushedOut(hub._logger, SetpointIdOf(dropped), siteId, StreamCapacity);
                });
        }

        public string SiteId { get; }

        internal Channel<SignedSetpoint> Queue { get; }

        // The collector signed it, so it parses; read only when one is dropped, for the log line.
        private static string SetpointIdOf(SignedSetpoint signed)
        {
            try { return Setpoint.Parser.ParseFrom(signed.Setpoint).SetpointId; }
            catch (Google.Protobuf.InvalidProtocolBufferException) { return "(unreadable)"; }
        }

        public ChannelReader<SignedSetpoint> Reader => Queue.Reader;

        public void Dispose()
        {
            if (_hub._sites.TryGetValue(SiteId, out var subscriptions)) subscriptions.TryRemove(this, out _);
            Queue.Writer.TryComplete();
        }
    }
}

using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nexwatt.EdgeAgent.Configuration;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// The one loop that owns dispatch: setpoints from every transport (MQTT, gRPC) are queued here and handled one at a
/// time, between the hold loop's re-asserts and expiries, so two setpoints never race on a device. At shutdown it
/// restores every device it holds (registered after the pollers, it stops before their Modbus links close).
/// </summary>
internal sealed class SetpointDispatcher : BackgroundService
{
    private static readonly TimeSpan RestoreBudget = TimeSpan.FromSeconds(10);

    // Bounded and Wait: a transport that outruns the devices stops reading (the MQTT inbox, the gRPC stream) until
    // there is room, so a verified setpoint is never dropped in memory; dropping would leave the collector waiting
    // for an answer that never comes. Setpoints are handled one at a time, so 64 is plenty of slack.
    private readonly Channel<(ReadOnlyMemory<byte> Payload, AckSink Reply)> _inbox =
        Channel.CreateBounded<(ReadOnlyMemory<byte>, AckSink)>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private readonly DispatchEngine _engine;
    private readonly CollectorKey _key;
    private readonly DispatchOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly Observability.AgentMetrics? _metrics;

    public SetpointDispatcher(IOptions<AgentOptions> agent, CollectorKey key, ISiteDevices devices, AgentIdentity identity, TimeProvider time, ILogger<SetpointDispatcher> logger,
        Observability.AgentMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = agent.Value.Dispatch;
        _key = key;
        _time = time;
        _logger = logger;
        _engine = new DispatchEngine(new SetpointVerifier(key, identity.SiteId, _options.ClockSkewTolerance), devices, _options, identity.SiteId, time, logger, metrics);
    }

    private volatile IReadOnlyDictionary<string, IReadOnlyList<PlannedTarget>> _published = new Dictionary<string, IReadOnlyList<PlannedTarget>>();

    /// <summary>The dispatches held now, copied by the loop after each round: the engine itself is not thread-safe.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PlannedTarget>> ActiveSetpoints => _published;

    /// <summary>Queues a received setpoint; waits while the queue is full.</summary>
    public ValueTask SubmitAsync(ReadOnlyMemory<byte> payload, AckSink reply, CancellationToken cancellationToken)
    {
        _metrics?.SetpointReceived();
        return _inbox.Writer.WriteAsync((payload, reply), cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_key.KeyId is null) DispatchLog.NoKeyPinned(_logger);
        else DispatchLog.Ready(_logger, _key.KeyId, _options.RevertTimeout, _options.EffectiveReassertInterval);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _engine.RunDueAsync(stoppingToken).ConfigureAwait(false);
                _published = _engine.Active;
                await WaitForWorkAsync(stoppingToken).ConfigureAwait(false);
                while (_inbox.Reader.TryRead(out var item))
                    await _engine.HandleAsync(item.Payload, item.Reply, stoppingToken).ConfigureAwait(false);
                _published = _engine.Active;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Graceful stop: put the devices back now rather than leave them to their revert timers.
            using var budget = new CancellationTokenSource(RestoreBudget, _time);
            try { await _engine.RestoreAllAsync(budget.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { /* out of budget: the revert timers finish the job */ }
        }
    }

    /// <summary>Returns when a setpoint is queued or the hold loop's next due time has come.</summary>
    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        var delay = _engine.NextDue is { } due ? due - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (delay != Timeout.InfiniteTimeSpan && delay <= TimeSpan.Zero) return;
        using var timer = delay == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(delay, _time);
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
        try { await _inbox.Reader.WaitToReadAsync(wake.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
    }
}

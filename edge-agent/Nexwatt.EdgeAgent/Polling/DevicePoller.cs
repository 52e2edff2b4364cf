using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// Polls one device on its own schedule through its <see cref="IDeviceSource"/> and hands the readings on. A failure
/// marks the device unhealthy and backs off that device alone; what it speaks (SunSpec, Enphase, a register map) is
/// the source's business, so every kind gets the same cadence, backoff, health and liveness.
/// </summary>
internal sealed class DevicePoller
{
    private readonly string _siteId;
    private readonly string _deviceId;
    private readonly TimeSpan _interval;
    private readonly IDeviceSource _source;
    private readonly IReadingSink _sink;
    private readonly DeviceHealthBoard _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _jitter;
    private readonly Hosting.AgentLiveness? _liveness;
    private readonly Observability.AgentMetrics? _metrics;
    private long _polls;
    private long _failedPolls;
    private int _failures;
    private DateTimeOffset? _lastSuccess;

    public DevicePoller(string siteId, string deviceId, TimeSpan interval, IDeviceSource source, IReadingSink sink, DeviceHealthBoard health,
        TimeProvider time, ILogger logger, Hosting.AgentLiveness? liveness = null, Observability.AgentMetrics? metrics = null)
    {
        _siteId = siteId;
        _deviceId = deviceId;
        _interval = interval;
        _source = source;
        _sink = sink;
        _health = health;
        _time = time;
        _logger = logger;
        _liveness = liveness;
        _metrics = metrics;
        // Seeded per device so that retries spread out but a run can be reproduced.
        _jitter = new Random(StringComparer.Ordinal.GetHashCode(deviceId));
        _health.Set(new DeviceHealth(deviceId, false, 0, null, "not polled yet", 0, 0));
    }

    /// <summary>A poller of a SunSpec device over the given Modbus client (the agent's one kind before the seam; tests use it).</summary>
    public DevicePoller(string siteId, DeviceOptions device, TimeSpan interval, IModbusClient client, SunSpecModelCatalog catalog,
        IReadingSink sink, DeviceHealthBoard health, TimeProvider time, ILogger logger, Dispatch.DeviceControlRegistry? controls = null,
        Hosting.AgentLiveness? liveness = null)
        : this(siteId, device.EffectiveId, interval, new SunSpecDeviceSource(device, client, catalog, health, time, logger, controls), sink, health, time, logger, liveness)
    {
    }

    public string DeviceId => _deviceId;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.PollerStarted(_logger, DeviceId, _source.Endpoint, _interval);
        var nextDue = _time.GetUtcNow();
        using var heartbeat = _liveness?.Register($"the poller of {DeviceId}");
        // A poll (discovery included) ends well within its interval or half a minute, whichever is longer; one that
        // has not ended by then plus the watchdog's grace is hung, whatever the device does (every request times out).
        var pollBudget = _interval > TimeSpan.FromSeconds(30) ? _interval : TimeSpan.FromSeconds(30);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                heartbeat?.Beat(pollBudget);
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                OnSuccess();
                // Keep the cadence: skip ticks that a slow poll overran rather than bunching them up.
                var now = _time.GetUtcNow();
                do nextDue += _interval; while (nextDue <= now);
                wait = nextDue - now;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (_source.IsDeviceFault(ex))
            {
                wait = OnFailure(ex);
                nextDue = _time.GetUtcNow() + wait;
            }

            heartbeat?.Beat(wait);
            try { await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One poll: read the device, emit the readings.</summary>
    internal async Task<DeviceReadings> PollOnceAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var polled = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
        var batch = new DeviceReadings(_siteId, DeviceId, polled.Timestamp, polled.Readings);
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        _metrics?.PollSucceeded(DeviceId, elapsed);
        Log.PollCompleted(_logger, DeviceId, elapsed.TotalMilliseconds, polled.Readings.Count);
        return batch;
    }

    private void OnSuccess()
    {
        _polls++;
        if (_failures > 0) Log.DeviceRecovered(_logger, DeviceId, _failures);
        _failures = 0;
        _lastSuccess = _time.GetUtcNow();
        _health.Set(new DeviceHealth(DeviceId, true, 0, _lastSuccess, null, _polls, _failedPolls));
    }

    private TimeSpan OnFailure(Exception ex)
    {
        _polls++;
        _failedPolls++;
        _failures++;
        _source.OnFault(ex);
        _metrics?.PollFailed(DeviceId, ex);
        var wait = PollBackoff.Delay(_interval, _failures, _jitter.NextDouble());
        Log.DeviceUnhealthy(_logger, DeviceId, _failures, wait, ex.Message);
        _health.Set(new DeviceHealth(DeviceId, false, _failures, _lastSuccess, ex.Message, _polls, _failedPolls));
        return wait;
    }
}

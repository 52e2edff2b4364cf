using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// Polls one device on its own schedule: discovers its SunSpec model chain once, then reads the chosen models
/// every interval and hands the decoded readings on. A failure marks the device unhealthy and backs off that
/// device alone; the Modbus link's circuit breaker keeps it from delaying other devices on the same gateway.
/// </summary>
internal sealed class DevicePoller
{
    // Common (1) and nameplate (120) never change while the device runs; they are read once at discovery.
    private static readonly HashSet<ushort> StaticModels = [1, 120];

    private readonly string _siteId;
    private readonly DeviceOptions _device;
    private readonly TimeSpan _interval;
    private readonly IModbusClient _client;
    private readonly SunSpecModelCatalog _catalog;
    private readonly IReadingSink _sink;
    private readonly DeviceHealthBoard _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _jitter;
    private readonly SunSpecWordOrder _wordOrder;
    private readonly Dispatch.DeviceControlRegistry? _controls;
    private readonly Hosting.AgentLiveness? _liveness;
    private SunSpecDeviceMap? _map;
    private long _polls;
    private long _failedPolls;
    private int _failures;
    private DateTimeOffset? _lastSuccess;

    public DevicePoller(string siteId, DeviceOptions device, TimeSpan interval, IModbusClient client, SunSpecModelCatalog catalog,
        IReadingSink sink, DeviceHealthBoard health, TimeProvider time, ILogger logger, Dispatch.DeviceControlRegistry? controls = null,
        Hosting.AgentLiveness? liveness = null)
    {
        _liveness = liveness;
        _controls = controls;
        _siteId = siteId;
        _device = device;
        _interval = interval;
        _client = client;
        _catalog = catalog;
        _sink = sink;
        _health = health;
        _time = time;
        _logger = logger;
        // Seeded per device so that retries spread out but a run can be reproduced.
        _jitter = new Random(StringComparer.Ordinal.GetHashCode(device.EffectiveId));
        _wordOrder = device.Quirks.WordOrder == "LowWordFirst" ? SunSpecWordOrder.LowWordFirst : SunSpecWordOrder.HighWordFirst;
        _health.Set(new DeviceHealth(device.EffectiveId, false, 0, null, "not polled yet", 0, 0));
    }

    public string DeviceId => _device.EffectiveId;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.PollerStarted(_logger, DeviceId, $"{_device.Host}:{_device.Port}", _device.UnitId, _interval);
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
            catch (Exception ex) when (IsDeviceFault(ex))
            {
                wait = OnFailure(ex);
                nextDue = _time.GetUtcNow() + wait;
            }

            heartbeat?.Beat(wait);
            try { await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One poll: discover when needed, read every polled model, emit the readings.</summary>
    internal async Task<DeviceReadings> PollOnceAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _map ??= await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var blocks = new List<(SunSpecModelBlock Block, int Instance)>();
        var instances = new Dictionary<ushort, int>();
        foreach (var location in _map.Models)
        {
            var instance = instances[location.ModelId] = instances.GetValueOrDefault(location.ModelId, -1) + 1;
            if (location.Definition is null || !ShouldPoll(location.ModelId)) continue;
            var block = await SunSpecDeviceReader.ReadModelAsync(_client, (byte)_device.UnitId, location, _wordOrder, cancellationToken).ConfigureAwait(false);
            if (block.ModelId != location.ModelId)
                // The chain moved (firmware update, device replaced): rediscover on the next poll.
                throw new SunSpecDecodingException($"model {location.ModelId} expected at {location.Address} but {block.ModelId} found; the model chain changed");
            blocks.Add((block, instance));
        }
        // One instant for the whole poll (when its last answer arrived): the collector takes a device's readings one
        // poll at a time by (device, source time), so that a quantity two models carry (a battery's 103 W and 802 W)
        // yields one sample per poll, not one per model. The models of a poll are read milliseconds apart.
        var timestamp = _time.GetUtcNow();
        var readings = new List<Reading>();
        foreach (var (block, instance) in blocks) readings.AddRange(ReadingFactory.FromBlock(DeviceId, block, instance, timestamp));

        var batch = new DeviceReadings(_siteId, DeviceId, timestamp, readings);
        await _sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        Log.PollCompleted(_logger, DeviceId, Stopwatch.GetElapsedTime(started).TotalMilliseconds, readings.Count);
        return batch;
    }

    private bool ShouldPoll(ushort modelId) => _device.Models.Count > 0 ? _device.Models.Contains(modelId) : !StaticModels.Contains(modelId);

    private async Task<SunSpecDeviceMap> DiscoverAsync(CancellationToken cancellationToken)
    {
        var options = new SunSpecDiscoveryOptions
        {
            Catalog = _catalog,
            ExtraBaseAddresses = _device.SunSpecBaseAddress is { } b ? [(ushort)b] : [],
            Logger = _logger,
        };
        var map = await new SunSpecDiscovery(_client, options).DiscoverAsync((byte)_device.UnitId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotSunSpecException(DeviceId);
        var common = map.Models.FirstOrDefault(m => m.ModelId == 1 && m.Definition is not null);
        var identity = common is null ? null
            : SunSpecCommonModel.FromBlock(await SunSpecDeviceReader.ReadModelAsync(_client, (byte)_device.UnitId, common, _wordOrder, cancellationToken).ConfigureAwait(false));
        _health.SetDescription(new DeviceDescription(DeviceId, $"{_device.Host}:{_device.Port}", _device.UnitId, identity?.Manufacturer, identity?.Model,
            identity?.SerialNumber, map.Models.Select(m => m.ModelId).ToArray()));
        // Dispatch reaches the device through this poller's link and the chain found here, never a hard-coded address.
        _controls?.Register(new Dispatch.DeviceControlPort(DeviceId, _client, (byte)_device.UnitId, map, _wordOrder));
        foreach (var unknown in map.Models.Where(m => m.Definition is null))
            Log.UnknownModel(_logger, DeviceId, unknown.ModelId, unknown.Address);
        Log.DeviceDiscovered(_logger, DeviceId, identity?.Manufacturer ?? "?", identity?.Model ?? "?", identity?.SerialNumber ?? "?",
            map.BaseAddress, string.Join(",", map.Models.Select(m => m.ModelId)));
        return map;
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
        // A changed chain (a decoding fault, the model id check above) or a device that stopped being SunSpec may mean
        // another device now answers at this address: look again. A corrupt frame, a timeout or a link fault says
        // nothing about the chain, and rediscovering on each would keep a noisy device from ever being polled.
        if (ex is not (TimeoutException or ModbusCommunicationException or ModbusDeviceUnavailableException or ModbusProtocolException)) _map = null;
        var wait = PollBackoff.Delay(_interval, _failures, _jitter.NextDouble());
        if (ex is NotSunSpecException)
            Log.NotSunSpec(_logger, DeviceId, "40000, 50000, 0", wait);
        else
            Log.DeviceUnhealthy(_logger, DeviceId, _failures, wait, ex.Message);
        _health.Set(new DeviceHealth(DeviceId, false, _failures, _lastSuccess, ex.Message, _polls, _failedPolls));
        return wait;
    }

    // Faults of the device or the link; anything else (a bug) must surface, not be retried forever.
    private static bool IsDeviceFault(Exception ex) =>
        ex is ModbusException or TimeoutException or SunSpecException or NotSunSpecException or IOException;
}

/// <summary>The device answered Modbus but carries no SunSpec marker at any base address tried.</summary>
internal sealed class NotSunSpecException(string deviceId) : Exception($"{deviceId} shows no SunSpec marker");

using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.EdgeAgent.Readings;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// A SunSpec device over Modbus: discovers its model chain once, then reads the chosen models every poll. The
/// discovered chain is registered for dispatch, which reaches the device through the same link.
/// </summary>
internal sealed class SunSpecDeviceSource : IDeviceSource
{
    // Common (1) and nameplate (120) never change while the device runs; they are read once at discovery.
    private static readonly HashSet<ushort> StaticModels = [1, 120];

    private readonly DeviceOptions _device;
    private readonly IModbusClient _client;
    private readonly SunSpecModelCatalog _catalog;
    private readonly DeviceHealthBoard _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SunSpecWordOrder _wordOrder;
    private readonly Dispatch.DeviceControlRegistry? _controls;
    private SunSpecDeviceMap? _map;

    public SunSpecDeviceSource(DeviceOptions device, IModbusClient client, SunSpecModelCatalog catalog, DeviceHealthBoard health,
        TimeProvider time, ILogger logger, Dispatch.DeviceControlRegistry? controls = null)
    {
        _device = device;
        _client = client;
        _catalog = catalog;
        _health = health;
        _time = time;
        _logger = logger;
        _controls = controls;
        _wordOrder = device.Quirks.WordOrder == "LowWordFirst" ? SunSpecWordOrder.LowWordFirst : SunSpecWordOrder.HighWordFirst;
    }

    private string DeviceId => _device.EffectiveId;

    public string Endpoint => $"{_device.Host}:{_device.Port}/{_device.UnitId}";

    public async ValueTask<PolledReadings> ReadAsync(CancellationToken cancellationToken)
    {
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
        return new PolledReadings(timestamp, readings);
    }

    public bool IsDeviceFault(Exception exception) =>
        exception is ModbusException or TimeoutException or SunSpecException or NotSunSpecException or IOException;

    public void OnFault(Exception exception)
    {
        // A changed chain (a decoding fault, the model id check above) or a device that stopped being SunSpec may mean
        // another device now answers at this address: look again. A corrupt frame, a timeout or a link fault says
        // nothing about the chain, and rediscovering on each would keep a noisy device from ever being polled.
        if (exception is not (TimeoutException or ModbusCommunicationException or ModbusDeviceUnavailableException or ModbusProtocolException)) _map = null;
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
}

/// <summary>The device answered Modbus but carries no SunSpec marker at any base address tried.</summary>
internal sealed class NotSunSpecException(string deviceId) : Exception($"{deviceId} shows no SunSpec marker at 40000, 50000 or 0");

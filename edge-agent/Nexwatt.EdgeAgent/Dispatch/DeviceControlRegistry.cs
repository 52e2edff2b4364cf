using System.Collections.Concurrent;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Dispatch;

/// <summary>
/// How to reach one discovered device's controls: the same Modbus link its poller uses (one owner per link, so
/// setpoint writes queue behind polls instead of opening a second connection) and the model chain it discovered.
/// </summary>
internal sealed record DeviceControlPort(string DeviceId, IModbusClient Client, byte UnitId, SunSpecDeviceMap Map, SunSpecWordOrder WordOrder);

/// <summary>
/// The devices the pollers discovered, by device id; a rediscovery replaces the entry. SunSpec devices register their
/// port (driven by <see cref="SunSpecSiteDevices"/>); a device of another kind registers its own controller.
/// </summary>
internal sealed class DeviceControlRegistry
{
    private readonly ConcurrentDictionary<string, DeviceControlPort> _ports = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ISiteDevices> _controllers = new(StringComparer.Ordinal);

    public DeviceControlPort? Find(string deviceId) => _ports.TryGetValue(deviceId, out var port) ? port : null;

    public void Register(DeviceControlPort port) => _ports[port.DeviceId] = port;

    /// <summary>The controller of a device that is not driven through SunSpec models, or null.</summary>
    public ISiteDevices? FindController(string deviceId) => _controllers.TryGetValue(deviceId, out var controller) ? controller : null;

    public void RegisterController(string deviceId, ISiteDevices controller) => _controllers[deviceId] = controller;
}

using Microsoft.Extensions.Logging;
using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;
using Nexwatt.Protocols.Modbus.Rtu.Serial;
using Nexwatt.Protocols.Modbus.Rtu.Transport;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// One <see cref="ModbusRtuLink"/> per physical RTU bus: per serial port, or per TCP gateway carrying RTU frames.
/// Every unit configured on that bus shares it, so they are polled in turn; the first device configured on a bus
/// sets its line settings and timeout.
/// </summary>
internal sealed class RtuBuses(TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Dictionary<string, ModbusRtuLink> _buses = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger("Nexwatt.Protocols.Modbus.Rtu");

    public ModbusRtuLink For(DeviceOptions device)
    {
        var link = Bus(device);
        link.Configure((byte)device.UnitId, DeviceLinks.Quirks(device));
        return link;
    }

    /// <summary>The link of the device's bus, made on first use; no unit is configured on it.</summary>
    public ModbusRtuLink Bus(DeviceOptions device)
    {
        var name = device.IsSerial ? device.Serial.Port : $"tcp://{device.Host}:{device.Port}";
        ModbusRtuLink? link;
        lock (_buses)
        {
            if (!_buses.TryGetValue(name, out link))
            {
                IModbusRtuTransport transport = device.IsSerial
                    ? new SerialRtuTransport(device.Serial.ToSettings())
                    : new TcpRtuTransport(device.Host, device.Port, device.Timeout);
                link = new ModbusRtuLink(transport, new ModbusRtuLinkOptions
                {
                    BaudRate = device.IsSerial ? device.Serial.BaudRate : 19200,
                    ResponseTimeout = device.Timeout,
                    TurnaroundDelay = device.Serial.TurnaroundDelay,
                    LocalEcho = device.IsSerial && device.Serial.LocalEcho,
                }, _logger, time);
                _buses[name] = link;
            }
        }
        return link;
    }

    public async ValueTask DisposeAsync()
    {
        ModbusRtuLink[] links;
        lock (_buses)
        {
            links = [.. _buses.Values];
            _buses.Clear();
        }
        foreach (var link in links) await link.DisposeAsync().ConfigureAwait(false);
    }
}

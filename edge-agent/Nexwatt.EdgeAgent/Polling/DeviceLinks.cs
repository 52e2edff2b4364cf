using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// Gives each configured device the Modbus link of its gateway or bus: one link (and so one TCP connection) per
/// host:port, shared by every unit id behind it, one RTU link per serial port or RTU gateway, with the device's quirks
/// registered on that link.
/// </summary>
internal sealed class DeviceLinks(TimeProvider time, Microsoft.Extensions.Logging.ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ModbusLinkPool _pool = new(loggers.CreateLogger("Nexwatt.Protocols.Modbus"), time);
    private readonly RtuBuses _rtu = new(time, loggers);

    public IModbusClient For(DeviceOptions device)
    {
        if (device.IsSerial || device.IsRtuOverTcp) return _rtu.For(device);
        var link = _pool.GetLink(new ModbusTcpLinkOptions
        {
            Host = device.Host,
            Port = device.Port,
            ResponseTimeout = device.Timeout,
            ConnectTimeout = device.Timeout,
        });
        link.Configure((byte)device.UnitId, Quirks(device));
        return link;
    }

    /// <summary>The one link of a serial port's bus, shared with the devices configured on that port (the discovery sweep's).</summary>
    public ModbusRtuLink SerialBus(SerialOptions serial) => _rtu.Bus(new DeviceOptions { Transport = ModbusTransports.Rtu, Serial = serial });

    internal static ModbusDeviceQuirks Quirks(DeviceOptions device) => new()
    {
        PauseAfterConnect = device.Quirks.PauseAfterConnect,
        PauseBetweenRequests = device.Quirks.PauseBetweenRequests,
        MaxRegistersPerRead = device.Quirks.MaxRegistersPerRead,
        WordOrder = device.Quirks.WordOrder == "LowWordFirst" ? ModbusWordOrder.LowWordFirst : ModbusWordOrder.HighWordFirst,
    };

    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync().ConfigureAwait(false);
        await _rtu.DisposeAsync().ConfigureAwait(false);
    }
}

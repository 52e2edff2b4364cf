using Nexwatt.EdgeAgent.Configuration;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Client;

namespace Nexwatt.EdgeAgent.Polling;

/// <summary>
/// Gives each configured device the Modbus link of its gateway: one link (and so one TCP connection) per
/// host:port, shared by every unit id behind it, with the device's quirks registered on that link.
/// </summary>
internal sealed class DeviceLinks(TimeProvider time, Microsoft.Extensions.Logging.ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ModbusLinkPool _pool = new(loggers.CreateLogger("Nexwatt.Protocols.Modbus"), time);

    public IModbusClient For(DeviceOptions device)
    {
        var link = _pool.GetLink(new ModbusTcpLinkOptions
        {
            Host = device.Host,
            Port = device.Port,
            ResponseTimeout = device.Timeout,
            ConnectTimeout = device.Timeout,
        });
        link.Configure((byte)device.UnitId, new ModbusDeviceQuirks
        {
            PauseAfterConnect = device.Quirks.PauseAfterConnect,
            PauseBetweenRequests = device.Quirks.PauseBetweenRequests,
            MaxRegistersPerRead = device.Quirks.MaxRegistersPerRead,
            WordOrder = device.Quirks.WordOrder == "LowWordFirst" ? ModbusWordOrder.LowWordFirst : ModbusWordOrder.HighWordFirst,
        });
        return link;
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();
}

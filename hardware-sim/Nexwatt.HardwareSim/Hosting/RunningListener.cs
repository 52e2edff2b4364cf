using System.Net;
using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Modbus;
using Nexwatt.HardwareSim.Site;
using Nexwatt.Protocols.Modbus.Server;

namespace Nexwatt.HardwareSim.Hosting;

/// <summary>One started Modbus TCP listener and the devices behind its unit ids.</summary>
internal sealed class RunningListener : IAsyncDisposable
{
    private readonly ModbusTcpServer _server;

    private RunningListener(ModbusTcpServer server, IReadOnlyList<(byte UnitId, SimulatedDevice Device)> devices)
    {
        _server = server;
        Devices = devices;
    }

    public IPEndPoint Endpoint => _server.LocalEndPoint;

    public IReadOnlyList<(byte UnitId, SimulatedDevice Device)> Devices { get; }

    /// <summary>Binds the listener; a taken port throws <see cref="System.Net.Sockets.SocketException"/>.</summary>
    /// <param name="writeLog">Told of every write a device accepted (device, address, register count); null for none.</param>
    public static RunningListener Start(ListenerPlan plan, Func<string, SimulatedDevice> deviceByName, TimeProvider time,
        Action<SimulatedDevice, ushort, int>? writeLog = null)
    {
        var units = plan.Devices.Select(d => (d.UnitId, Device: deviceByName(d.Name))).ToList();
        var byUnit = units.ToDictionary(u => u.UnitId, u => u.Device);
        // Fault injection wraps the standard handler, so it sees (and can spoil) exactly what a device would answer.
        var handler = new FaultInjectingHandler(
            new ModbusDataModelHandler(new ListenerDataModel(byUnit, writeLog)),
            unit => byUnit.TryGetValue(unit, out var device) ? device.Faults : null,
            time);
        var server = new ModbusTcpServer(plan.Endpoint, handler);
        server.Start();
        return new RunningListener(server, units);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

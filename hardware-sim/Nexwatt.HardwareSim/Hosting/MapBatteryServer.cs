using System.Net;
using Nexwatt.HardwareSim.Devices.Map;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.Protocols.Modbus.Server;

namespace Nexwatt.HardwareSim.Hosting;

/// <summary>
/// The listener of <c>serve-map</c>: one register-map battery over Modbus TCP, every request passing the device's fault
/// plan first (the same injector as <c>serve</c>, so it sees and can spoil exactly what the device would answer).
/// </summary>
internal sealed class MapBatteryServer : IAsyncDisposable
{
    private readonly ModbusTcpServer _server;

    private MapBatteryServer(MapBatteryDevice device, DeviceFaults faults, ModbusTcpServer server)
    {
        Device = device;
        Faults = faults;
        _server = server;
    }

    public MapBatteryDevice Device { get; }

    public DeviceFaults Faults { get; }

    public IPEndPoint Endpoint => _server.LocalEndPoint;

    /// <summary>Binds and starts; a taken port throws <see cref="System.Net.Sockets.SocketException"/>.</summary>
    public static MapBatteryServer Start(MapBatteryDevice device, DeviceFaults faults, IPEndPoint endpoint, TimeProvider time)
    {
        var handler = new FaultInjectingHandler(new ModbusDataModelHandler(device), unit => device.HasUnit(unit) ? faults : null, time);
        var server = new ModbusTcpServer(endpoint, handler);
        server.Start();
        return new MapBatteryServer(device, faults, server);
    }

    /// <summary>Runs the physics; a frozen plan keeps the measured registers where they are (controls still work).</summary>
    public void Step(TimeSpan elapsed, DateTimeOffset now) => Device.Step(elapsed.TotalSeconds, now, publish: !Faults.Plan.Frozen);

    /// <summary>The status line's text: the device, then the faults and how many requests they spoiled.</summary>
    public string Describe() => Faults.Plan.IsNone ? Device.Describe() : $"{Device.Describe()} faults={Faults.Plan} injected={Faults.Injected}/{Faults.Requests}";

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

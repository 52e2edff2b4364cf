using System.CommandLine;
using Nexwatt.HardwareSim.Devices;
using Nexwatt.HardwareSim.Faults;
using Nexwatt.HardwareSim.Modbus;
using Nexwatt.Protocols.Modbus.Rtu.Serial;
using Nexwatt.Protocols.Modbus.Server;

namespace Nexwatt.HardwareSim.Hosting;

/// <summary>
/// <c>serve --serial PATH [--serial-baud N]</c>: every simulated device also answers Modbus RTU on one serial port (or
/// pty), by its unit id, as devices on one RS-485 pair do; the same data model and fault injection as its TCP listener.
/// </summary>
internal sealed class SerialListener : IAsyncDisposable
{
    private readonly ModbusRtuServer _server;

    private SerialListener(ModbusRtuServer server, IReadOnlyList<(byte UnitId, SimulatedDevice Device)> devices)
    {
        _server = server;
        Devices = devices;
    }

    public static Option<string?> PortOption { get; } = new("--serial") { Description = "Also serve every device over Modbus RTU on this serial port or pty, by unit id." };

    public static Option<int> BaudOption { get; } = new("--serial-baud") { Description = "Line speed for --serial (default 19200).", DefaultValueFactory = _ => 19200 };

    public string Port => _server.Name;

    public IReadOnlyList<(byte UnitId, SimulatedDevice Device)> Devices { get; }

    /// <summary>Opens the port (a missing one throws <see cref="Protocols.Modbus.ModbusCommunicationException"/>) and serves the devices.</summary>
    public static async Task<SerialListener> StartAsync(SerialServePlan plan, IReadOnlyList<SimulatedDevice> devices, IReadOnlyDictionary<string, byte> unitOf,
        TimeProvider time, Action<SimulatedDevice, ushort, int>? writeLog)
    {
        var (path, baud) = plan;
        var byUnit = new Dictionary<byte, SimulatedDevice>();
        foreach (var device in devices)
        {
            var unit = unitOf[device.Name];
            if (!byUnit.TryAdd(unit, device))
                throw new ArgumentException($"--serial: {byUnit[unit].Name} and {device.Name} both have unit id {unit}; one bus needs distinct unit ids (give them with --device TYPE@PORT/UNIT).");
        }
        var handler = new FaultInjectingHandler(new ModbusDataModelHandler(new ListenerDataModel(byUnit, writeLog)),
            unit => byUnit.TryGetValue(unit, out var device) ? device.Faults : null, time);
        var server = new ModbusRtuServer(new SerialRtuTransport(new SerialPortSettings { Port = path, BaudRate = baud }), baud, handler);
        await server.StartAsync().ConfigureAwait(false);
        return new SerialListener(server, [.. byUnit.Select(kv => (kv.Key, kv.Value))]);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}

/// <summary>The serial port of <c>serve --serial</c>.</summary>
internal sealed record SerialServePlan(string Port, int BaudRate)
{
    /// <summary>Null when --serial is absent.</summary>
    public static SerialServePlan? From(ParseResult parse)
        => parse.GetValue(SerialListener.PortOption) is { Length: > 0 } port ? new SerialServePlan(port, parse.GetValue(SerialListener.BaudOption)) : null;
}

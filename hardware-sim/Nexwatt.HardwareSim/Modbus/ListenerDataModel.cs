using Nexwatt.HardwareSim.Devices;
using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.Modbus.Server;

namespace Nexwatt.HardwareSim.Modbus;

/// <summary>
/// The data behind one TCP listener: each unit id maps to one simulated device. SunSpec lives in holding
/// registers only; coils, discrete inputs and input registers answer "illegal function" as real inverters do.
/// Every write a device accepted is reported to <paramref name="accepted"/> (the WRITE log), so that tests can prove a
/// master wrote nothing; refused writes changed nothing and are not reported.
/// </summary>
internal sealed class ListenerDataModel(IReadOnlyDictionary<byte, SimulatedDevice> devices, Action<SimulatedDevice, ushort, int>? accepted = null) : IModbusDataModel
{
    public bool HasUnit(byte unitId) => devices.ContainsKey(unitId);

    public ModbusExceptionCode? ReadRegisters(byte unitId, ModbusTable table, ushort address, Span<ushort> destination)
    {
        if (!devices.TryGetValue(unitId, out var device)) return ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        if (table != ModbusTable.HoldingRegisters) return ModbusExceptionCode.IllegalFunction;
        return device.Read(address, destination);
    }

    public ModbusExceptionCode? WriteRegisters(byte unitId, ushort address, ReadOnlySpan<ushort> values)
    {
        if (!devices.TryGetValue(unitId, out var device)) return ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        var error = device.Write(address, values);
        if (error is null) accepted?.Invoke(device, address, values.Length);
        return error;
    }

    public ModbusExceptionCode? ReadBits(byte unitId, ModbusTable table, ushort address, Span<bool> destination) => ModbusExceptionCode.IllegalFunction;

    public ModbusExceptionCode? WriteCoils(byte unitId, ushort address, ReadOnlySpan<bool> values) => ModbusExceptionCode.IllegalFunction;
}

using Nexwatt.HardwareSim.Devices;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.HardwareSim.Tests.Devices;

/// <summary>Reads and writes SunSpec points of a simulated device through its Modbus register interface.</summary>
internal static class DeviceTestExtensions
{
    public static SunSpecModelBlock ReadModel(this SimulatedDevice device, ushort modelId)
    {
        var (_, address, length) = device.Layout.Single(m => m.ModelId == modelId);
        var registers = new ushort[length];
        Assert.Null(device.Read(address, registers));
        return SunSpecModelBlock.FromRegisters(SunSpecModelCatalog.LoadBuiltIn().Get(modelId), registers);
    }

    public static ushort AddressOf(this SimulatedDevice device, ushort modelId, string point)
    {
        var block = device.ReadModel(modelId);
        return (ushort)(device.Layout.Single(m => m.ModelId == modelId).Address + block.GetOffset(point));
    }

    public static Nexwatt.Protocols.Modbus.ModbusExceptionCode? WritePoint(this SimulatedDevice device, ushort modelId, string point, params ushort[] values)
        => device.Write(device.AddressOf(modelId, point), values);

    public static double? Value(this SimulatedDevice device, ushort modelId, string point) => device.ReadModel(modelId).Read(point).Value;

    public static long Raw(this SimulatedDevice device, ushort modelId, string point) => device.ReadModel(modelId).Read(point).Raw;
}

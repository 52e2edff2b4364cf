using Nexwatt.Protocols.Modbus;
using Nexwatt.Protocols.SunSpec;

namespace Nexwatt.EdgeAgent.Tests;

/// <summary>
/// An in-memory device for session tests: holding registers from a SunSpec image, exception 2 outside it,
/// and a switch that makes it go silent (every request times out) as a dead device would.
/// </summary>
internal sealed class ImageModbusClient(SunSpecDeviceImage image, byte unitId = 1) : IModbusClient
{
    public bool Dead { get; set; }
    public int Requests { get; private set; }

    public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unit, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests++;
        if (Dead || unit != unitId) throw new TimeoutException($"unit {unit} did not answer");
        var offset = address - image.BaseAddress;
        if (offset < 0 || offset + count > image.Registers.Length)
            throw new ModbusRemoteException(0x03, ModbusExceptionCode.IllegalDataAddress);
        return ValueTask.FromResult(image.Registers.AsSpan(offset, count).ToArray());
    }

    public ValueTask<ushort[]> ReadInputRegistersAsync(byte unit, ushort address, ushort count, CancellationToken cancellationToken = default)
        => throw new ModbusRemoteException(0x04, ModbusExceptionCode.IllegalFunction);

    public ValueTask<bool[]> ReadCoilsAsync(byte unit, ushort address, ushort count, CancellationToken cancellationToken = default)
        => throw new ModbusRemoteException(0x01, ModbusExceptionCode.IllegalFunction);

    public ValueTask<bool[]> ReadDiscreteInputsAsync(byte unit, ushort address, ushort count, CancellationToken cancellationToken = default)
        => throw new ModbusRemoteException(0x02, ModbusExceptionCode.IllegalFunction);

    public ValueTask WriteSingleCoilAsync(byte unit, ushort address, bool value, CancellationToken cancellationToken = default)
        => throw new ModbusRemoteException(0x05, ModbusExceptionCode.IllegalFunction);

    public ValueTask WriteSingleRegisterAsync(byte unit, ushort address, ushort value, CancellationToken cancellationToken = default)
        => WriteMultipleRegistersAsync(unit, address, new[] { value }, cancellationToken);

    public ValueTask WriteMultipleCoilsAsync(byte unit, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
        => throw new ModbusRemoteException(0x0F, ModbusExceptionCode.IllegalFunction);

    public ValueTask WriteMultipleRegistersAsync(byte unit, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        var offset = address - image.BaseAddress;
        if (offset < 0 || offset + values.Length > image.Registers.Length)
            throw new ModbusRemoteException(0x10, ModbusExceptionCode.IllegalDataAddress);
        values.Span.CopyTo(image.Registers.AsSpan(offset));
        return ValueTask.CompletedTask;
    }
}

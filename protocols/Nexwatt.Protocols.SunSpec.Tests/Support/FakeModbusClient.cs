using Nexwatt.Protocols.Modbus;

namespace Nexwatt.Protocols.SunSpec.Tests.Support;

/// <summary>
/// An in-memory Modbus unit: holding registers from a sparse map; reads touching an unmapped address answer
/// "illegal data address" like a real device. Counts requests and can be told to fail like a dead link.
/// </summary>
internal sealed class FakeModbusClient : IModbusClient
{
    private readonly Dictionary<int, ushort> _registers = [];

    public FakeModbusClient(byte unitId = 1) => UnitId = unitId;

    public byte UnitId { get; }
    public int ReadRequests { get; private set; }
    public List<(ushort Address, ushort Count)> Reads { get; } = [];
    /// <summary>When set, every request throws this (e.g. a communication failure).</summary>
    public Exception? Failure { get; set; }
    /// <summary>Addresses whose reads answer with this exception code instead of data.</summary>
    public Dictionary<ushort, ModbusExceptionCode> Rejections { get; } = [];

    public static FakeModbusClient From(ushort baseAddress, IReadOnlyList<ushort> registers, byte unitId = 1)
    {
        var client = new FakeModbusClient(unitId);
        client.Load(baseAddress, registers);
        return client;
    }

    public void Load(ushort baseAddress, IReadOnlyList<ushort> registers)
    {
        for (var i = 0; i < registers.Count; i++) _registers[baseAddress + i] = registers[i];
    }

    public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ReadRequests++;
        Reads.Add((address, count));
        if (Failure is not null) throw Failure;
        if (unitId != UnitId) throw new TimeoutException($"unit {unitId} does not answer");
        if (Rejections.TryGetValue(address, out var code)) throw new ModbusRemoteException(0x03, code);
        if (count == 0) throw new ModbusRemoteException(0x03, ModbusExceptionCode.IllegalDataValue);
        var result = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            if (!_registers.TryGetValue(address + i, out result[i]))
                throw new ModbusRemoteException(0x03, ModbusExceptionCode.IllegalDataAddress);
        }
        return ValueTask.FromResult(result);
    }

    public ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        throw new ModbusRemoteException(0x04, ModbusExceptionCode.IllegalFunction);

    public ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        throw new ModbusRemoteException(0x01, ModbusExceptionCode.IllegalFunction);

    public ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default) =>
        throw new ModbusRemoteException(0x02, ModbusExceptionCode.IllegalFunction);

    public ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default) =>
        throw new ModbusRemoteException(0x05, ModbusExceptionCode.IllegalFunction);

    public ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default) =>
        WriteMultipleRegistersAsync(unitId, address, new[] { value }, cancellationToken);

    public ValueTask WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default) =>
        throw new ModbusRemoteException(0x0F, ModbusExceptionCode.IllegalFunction);

    public ValueTask WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < values.Length; i++)
            if (!_registers.ContainsKey(address + i)) throw new ModbusRemoteException(0x10, ModbusExceptionCode.IllegalDataAddress);
        for (var i = 0; i < values.Length; i++) _registers[address + i] = values.Span[i];
        return ValueTask.CompletedTask;
    }
}

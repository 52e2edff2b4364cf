using Nexwatt.Protocols.Modbus;

namespace Nexwatt.Bench.Scan;

/// <summary>
/// Passes every call to the inner client and counts what goes on the wire: a register read longer than the
/// 125-register PDU limit is split by the client, so it counts as ceil(count / 125) requests.
/// </summary>
internal sealed class CountingModbusClient(IModbusClient inner) : IModbusClient
{
    private const int MaxRegistersPerRead = 125;
    private const int MaxBitsPerRead = 2000;

    public int Calls { get; private set; }
    public int WireRequests { get; private set; }
    public long RegistersRead { get; private set; }

    public void Reset() => (Calls, WireRequests, RegistersRead) = (0, 0, 0);

    public ValueTask<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CountRegisters(count);
        return inner.ReadHoldingRegistersAsync(unitId, address, count, cancellationToken);
    }

    public ValueTask<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        CountRegisters(count);
        return inner.ReadInputRegistersAsync(unitId, address, count, cancellationToken);
    }

    public ValueTask<bool[]> ReadCoilsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        Count(Split(count, MaxBitsPerRead));
        return inner.ReadCoilsAsync(unitId, address, count, cancellationToken);
    }

    public ValueTask<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, ushort count, CancellationToken cancellationToken = default)
    {
        Count(Split(count, MaxBitsPerRead));
        return inner.ReadDiscreteInputsAsync(unitId, address, count, cancellationToken);
    }

    public ValueTask WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken = default)
    {
        Count(1);
        return inner.WriteSingleCoilAsync(unitId, address, value, cancellationToken);
    }

    public ValueTask WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken = default)
    {
        Count(1);
        return inner.WriteSingleRegisterAsync(unitId, address, value, cancellationToken);
    }

    public ValueTask WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken = default)
    {
        Count(1);
        return inner.WriteMultipleCoilsAsync(unitId, address, values, cancellationToken);
    }

    public ValueTask WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken = default)
    {
        Count(1);
        return inner.WriteMultipleRegistersAsync(unitId, address, values, cancellationToken);
    }

    private void CountRegisters(ushort count)
    {
        Count(Split(count, MaxRegistersPerRead));
        RegistersRead += count;
    }

    private void Count(int wireRequests)
    {
        Calls++;
        WireRequests += wireRequests;
    }

    private static int Split(int count, int limit) => Math.Max(1, (count + limit - 1) / limit);
}

namespace Nexwatt.Protocols.Modbus.Server;

/// <summary>
/// A thread-safe in-memory <see cref="IModbusDataModel"/>: per unit id, the four tables over the whole 16-bit
/// address space, all zero at first. <see cref="SetValidRange"/> restricts a table to configured ranges; an access
/// that leaves them is answered with exception 02 (illegal data address). Useful for tests and simple servers.
/// </summary>
public sealed class ModbusRegisterBank : IModbusDataModel
{
    private readonly Unit?[] _units = new Unit?[256];

    /// <summary>Adds a unit (idempotent) and returns this bank for chaining.</summary>
    public ModbusRegisterBank AddUnit(byte unitId)
    {
        Interlocked.CompareExchange(ref _units[unitId], new Unit(), null);
        return this;
    }

    /// <summary>Removes a unit: from then on the server stays silent for it.</summary>
    public void RemoveUnit(byte unitId) => Volatile.Write(ref _units[unitId], null);

    /// <summary>
    /// Declares [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) valid in a table. The
    /// first call for a table makes everything else in it invalid; later calls add ranges.
    /// </summary>
    public ModbusRegisterBank SetValidRange(byte unitId, ModbusTable table, ushort start, int count)
    {
        if (count < 1 || start + count > 65536) throw new ArgumentOutOfRangeException(nameof(count), count, "The range must hold 1 item or more and end at 65535 at most.");
        var unit = GetUnit(unitId);
        lock (unit) (unit.Ranges[(int)table] ??= []).Add((start, start + count));
        return this;
    }

    public bool HasUnit(byte unitId) => Volatile.Read(ref _units[unitId]) is not null;

    /// <summary>Sets registers of a unit (any register table), ignoring the valid ranges.</summary>
    public void SetRegisters(byte unitId, ModbusTable table, ushort address, params ReadOnlySpan<ushort> values)
    {
        var unit = GetUnit(unitId);
        lock (unit) values.CopyTo(unit.RegistersOf(table).AsSpan(address));
    }

    /// <summary>Reads registers of a unit, ignoring the valid ranges.</summary>
    public ushort[] GetRegisters(byte unitId, ModbusTable table, ushort address, int count)
    {
        var unit = GetUnit(unitId);
        lock (unit) return unit.RegistersOf(table).AsSpan(address, count).ToArray();
    }

    /// <summary>Sets bits of a unit (coils or discrete inputs), ignoring the valid ranges.</summary>
    public void SetBits(byte unitId, ModbusTable table, ushort address, params ReadOnlySpan<bool> values)
    {
        var unit = GetUnit(unitId);
        lock (unit) values.CopyTo(unit.BitsOf(table).AsSpan(address));
    }

    /// <summary>Reads bits of a unit, ignoring the valid ranges.</summary>
    public bool[] GetBits(byte unitId, ModbusTable table, ushort address, int count)
    {
        var unit = GetUnit(unitId);
        lock (unit) return unit.BitsOf(table).AsSpan(address, count).ToArray();
    }

    ModbusExceptionCode? IModbusDataModel.ReadRegisters(byte unitId, ModbusTable table, ushort address, Span<ushort> destination)
    {
        if (Volatile.Read(ref _units[unitId]) is not { } unit) return ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        lock (unit)
        {
            if (!unit.IsValid(table, address, destination.Length)) return ModbusExceptionCode.IllegalDataAddress;
            unit.RegistersOf(table).AsSpan(address, destination.Length).CopyTo(destination);
            return null;
        }
    }

    ModbusExceptionCode? IModbusDataModel.WriteRegisters(byte unitId, ushort address, ReadOnlySpan<ushort> values)
    {
        if (Volatile.Read(ref _units[unitId]) is not { } unit) return ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        lock (unit)
        {
            if (!unit.IsValid(ModbusTable.HoldingRegisters, address, values.Length)) return ModbusExceptionCode.IllegalDataAddress;
            values.CopyTo(unit.Holding.AsSpan(address));
            return null;
        }
    }

    ModbusExceptionCode? IModbusDataModel.ReadBits(byte unitId, ModbusTable table, ushort address, Span<bool> destination)
    {
        if (Volatile.Read(ref _units[unitId]) is not { } unit) return ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        lock (unit)
        {
            if (!unit.IsValid(table, address, destination.Length)) return ModbusExceptionCode.IllegalDataAddress;
            unit.BitsOf(table).AsSpan(address, destination.Length).CopyTo(destination);
            return null;
        }
    }

    ModbusExceptionCode? IModbusDataModel.WriteCoils(byte unitId, ushort address, ReadOnlySpan<bool> values)
    {
        if (Volatile.Read(ref _units[unitId]) is not { } unit) return ModbusExceptionCode.GatewayTargetDeviceFailedToRespond;
        lock (unit)
        {
            if (!unit.IsValid(ModbusTable.Coils, address, values.Length)) return ModbusExceptionCode.IllegalDataAddress;
            values.CopyTo(unit.Coils.AsSpan(address));
            return null;
        }
    }

    private Unit GetUnit(byte unitId)
        => Volatile.Read(ref _units[unitId]) ?? throw new ArgumentException($"Unit {unitId} is not in the bank; call AddUnit first.", nameof(unitId));

    private sealed class Unit
    {
        public readonly ushort[] Holding = new ushort[65536];
        public readonly ushort[] Input = new ushort[65536];
        public readonly bool[] Coils = new bool[65536];
        public readonly bool[] Discrete = new bool[65536];
        public readonly List<(int Start, int End)>?[] Ranges = new List<(int, int)>?[4];

        public ushort[] RegistersOf(ModbusTable table) => table switch
        {
            ModbusTable.HoldingRegisters => Holding,
            ModbusTable.InputRegisters => Input,
            _ => throw new ArgumentException($"{table} is not a register table.", nameof(table)),
        };

        public bool[] BitsOf(ModbusTable table) => table switch
        {
            ModbusTable.Coils => Coils,
            ModbusTable.DiscreteInputs => Discrete,
            _ => throw new ArgumentException($"{table} is not a bit table.", nameof(table)),
        };

        public bool IsValid(ModbusTable table, ushort address, int count)
        {
            if (address + count > 65536) return false;
            if (Ranges[(int)table] is not { } ranges) return true;
            // Every address of the access must fall in some configured range.
            var next = (int)address;
            var end = address + count;
            while (next < end)
            {
                var advanced = false;
                foreach (var (start, stop) in ranges)
                    if (start <= next && next < stop) { next = stop; advanced = true; }
                if (!advanced) return false;
            }
            return true;
        }
    }
}

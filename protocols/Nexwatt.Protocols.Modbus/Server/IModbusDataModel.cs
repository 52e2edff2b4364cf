namespace Nexwatt.Protocols.Modbus.Server;

/// <summary>The four Modbus data tables (Modbus Application Protocol V1.1b3, section 4.3).</summary>
public enum ModbusTable
{
    Coils,
    DiscreteInputs,
    InputRegisters,
    HoldingRegisters,
}

/// <summary>
/// The data behind a Modbus server, addressed by unit id. <see cref="ModbusDataModelHandler"/> decodes
/// request PDUs, checks the counts against the protocol limits, calls these methods and encodes the answer.
/// A method returns null on success or the exception code to answer with.
/// </summary>
public interface IModbusDataModel
{
    /// <summary>False makes the server stay silent for that unit id, as a gateway with no such device would.</summary>
    bool HasUnit(byte unitId);

    ModbusExceptionCode? ReadRegisters(byte unitId, ModbusTable table, ushort address, Span<ushort> destination);

    ModbusExceptionCode? WriteRegisters(byte unitId, ushort address, ReadOnlySpan<ushort> values);

    ModbusExceptionCode? ReadBits(byte unitId, ModbusTable table, ushort address, Span<bool> destination);

    ModbusExceptionCode? WriteCoils(byte unitId, ushort address, ReadOnlySpan<bool> values);
}

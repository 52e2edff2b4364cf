namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>
/// One decoded request PDU (server side). Fields that a function does not use are zero; <see cref="Data"/> points
/// into the request PDU (packed coils for 0x0F, big-endian registers for 0x10 and 0x17).
/// </summary>
public readonly ref struct ModbusRequest
{
    public ModbusFunctionCode Function { get; init; }

    /// <summary>Starting address (read address for 0x17).</summary>
    public ushort Address { get; init; }

    /// <summary>Quantity of items to read or write (read quantity for 0x17; 1 for 0x05 / 0x06).</summary>
    public ushort Quantity { get; init; }

    /// <summary>The value of 0x06, or 0xFF00 / 0x0000 for 0x05.</summary>
    public ushort Value { get; init; }

    /// <summary>0x17 only.</summary>
    public ushort WriteAddress { get; init; }

    /// <summary>0x17 only.</summary>
    public ushort WriteQuantity { get; init; }

    public ReadOnlySpan<byte> Data { get; init; }
}

namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>Quantity and size limits of the Modbus Application Protocol V1.1b3 (sections 4.1 and 6).</summary>
public static class ModbusLimits
{
    /// <summary>FC 0x03 / 0x04: 1 to 125 registers (6.3, 6.4).</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>FC 0x10: 1 to 123 registers (6.12).</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>FC 0x01 / 0x02: 1 to 2000 bits (6.1, 6.2).</summary>
    public const int MaxReadBits = 2000;

    /// <summary>FC 0x0F: 1 to 1968 coils (6.11).</summary>
    public const int MaxWriteBits = 1968;

    /// <summary>FC 0x17 read part: 1 to 125 registers (6.17).</summary>
    public const int MaxReadWriteReadRegisters = 125;

    /// <summary>FC 0x17 write part: 1 to 121 registers (6.17).</summary>
    public const int MaxReadWriteWriteRegisters = 121;

    /// <summary>The largest PDU: 256-byte serial ADU minus address and CRC (4.1).</summary>
    public const int MaxPduLength = 253;

    /// <summary>MBAP header: transaction id, protocol id, length, unit id.</summary>
    public const int MbapHeaderLength = 7;

    /// <summary>The largest Modbus TCP ADU: 7-byte MBAP header + 253-byte PDU.</summary>
    public const int MaxTcpAduLength = MbapHeaderLength + MaxPduLength;

    /// <summary>The largest RTU ADU: address + 253-byte PDU + CRC.</summary>
    public const int MaxRtuAduLength = 256;
}

using System.Buffers.Binary;

namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>Encodes response PDUs (server side, Modbus Application Protocol V1.1b3 section 6); returns bytes written.</summary>
public static class ModbusResponseEncoder
{
    /// <summary>Bytes a register response needs: function, byte count, 2 bytes per register.</summary>
    public static int RegistersLength(int count) => 2 + count * 2;

    /// <summary>Bytes a bit response needs: function, byte count, packed bits.</summary>
    public static int BitsLength(int count) => 2 + ModbusBits.ByteCount(count);

    /// <summary>FC 0x03 / 0x04 / 0x17.</summary>
    public static int WriteRegisters(Span<byte> destination, byte function, ReadOnlySpan<ushort> values)
    {
        if (values.Length > ModbusLimits.MaxReadRegisters) throw new ArgumentException($"A register response carries at most {ModbusLimits.MaxReadRegisters} registers.", nameof(values));
        destination[0] = function;
        destination[1] = (byte)(values.Length * 2);
        ModbusRequestEncoder.WriteRegisters(destination[2..], values);
        return 2 + values.Length * 2;
    }

    /// <summary>FC 0x01 / 0x02.</summary>
    public static int WriteBits(Span<byte> destination, byte function, ReadOnlySpan<bool> values)
    {
        if (values.Length > ModbusLimits.MaxReadBits) throw new ArgumentException($"A bit response carries at most {ModbusLimits.MaxReadBits} bits.", nameof(values));
        var byteCount = ModbusBits.ByteCount(values.Length);
        destination[0] = function;
        destination[1] = (byte)byteCount;
        ModbusBits.Pack(values, destination.Slice(2, byteCount));
        return 2 + byteCount;
    }

    /// <summary>FC 0x05 / 0x06 / 0x0F / 0x10: function, address, value or quantity.</summary>
    public static int WriteEcho(Span<byte> destination, byte function, ushort address, ushort valueOrQuantity)
    {
        destination[0] = function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], valueOrQuantity);
        return 5;
    }

    /// <summary>Section 7: function code with the high bit set, then the exception code.</summary>
    public static int WriteException(Span<byte> destination, byte function, ModbusExceptionCode code)
    {
        destination[0] = (byte)(function | 0x80);
        destination[1] = (byte)code;
        return 2;
    }
}

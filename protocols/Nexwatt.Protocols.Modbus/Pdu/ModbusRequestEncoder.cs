using System.Buffers.Binary;

namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>
/// Encodes request PDUs (function code first) into a caller's span; returns the number of bytes written.
/// Layouts follow Modbus Application Protocol V1.1b3, section 6. Over-limit quantities throw <see cref="ArgumentException"/>.
/// </summary>
public static class ModbusRequestEncoder
{
    /// <summary>FC 0x01-0x04 (6.1-6.4): function, starting address, quantity.</summary>
    public static int WriteRead(Span<byte> destination, ModbusFunctionCode function, ushort address, ushort quantity)
    {
        var max = function switch
        {
            ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs => ModbusLimits.MaxReadBits,
            ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters => ModbusLimits.MaxReadRegisters,
            _ => throw new ArgumentException($"Function {function} is not a read.", nameof(function)),
        };
        ModbusArguments.CheckQuantity(address, quantity, max, $"Function {function}", nameof(quantity));
        destination[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], quantity);
        return 5;
    }

    /// <summary>FC 0x05 (6.5): ON is 0xFF00, OFF is 0x0000.</summary>
    public static int WriteSingleCoil(Span<byte> destination, ushort address, bool value)
    {
        destination[0] = (byte)ModbusFunctionCode.WriteSingleCoil;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], value ? (ushort)0xFF00 : (ushort)0x0000);
        return 5;
    }

    /// <summary>FC 0x06 (6.6).</summary>
    public static int WriteSingleRegister(Span<byte> destination, ushort address, ushort value)
    {
        destination[0] = (byte)ModbusFunctionCode.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], value);
        return 5;
    }

    /// <summary>FC 0x0F (6.11): function, address, quantity, byte count, packed bits.</summary>
    public static int WriteMultipleCoils(Span<byte> destination, ushort address, ReadOnlySpan<bool> values)
    {
        ModbusArguments.CheckWrite(address, values.Length, ModbusLimits.MaxWriteBits, "Write Multiple Coils (0x0F)", nameof(values));
        var byteCount = ModbusBits.ByteCount(values.Length);
        destination[0] = (byte)ModbusFunctionCode.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)values.Length);
        destination[5] = (byte)byteCount;
        ModbusBits.Pack(values, destination.Slice(6, byteCount));
        return 6 + byteCount;
    }

    /// <summary>FC 0x10 (6.12): function, address, quantity, byte count, big-endian registers.</summary>
    public static int WriteMultipleRegisters(Span<byte> destination, ushort address, ReadOnlySpan<ushort> values)
    {
        ModbusArguments.CheckWrite(address, values.Length, ModbusLimits.MaxWriteRegisters, "Write Multiple Registers (0x10)", nameof(values));
        destination[0] = (byte)ModbusFunctionCode.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)values.Length);
        destination[5] = (byte)(values.Length * 2);
        WriteRegisters(destination[6..], values);
        return 6 + values.Length * 2;
    }

    /// <summary>FC 0x17 (6.17): read address, read quantity, write address, write quantity, byte count, registers.</summary>
    public static int WriteReadWriteMultipleRegisters(Span<byte> destination, ushort readAddress, ushort readQuantity, ushort writeAddress, ReadOnlySpan<ushort> values)
    {
        ModbusArguments.CheckQuantity(readAddress, readQuantity, ModbusLimits.MaxReadWriteReadRegisters, "Read/Write Multiple Registers (0x17) read", nameof(readQuantity));
        ModbusArguments.CheckWrite(writeAddress, values.Length, ModbusLimits.MaxReadWriteWriteRegisters, "Read/Write Multiple Registers (0x17) write", nameof(values));
        destination[0] = (byte)ModbusFunctionCode.ReadWriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], readAddress);
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], readQuantity);
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], writeAddress);
        BinaryPrimitives.WriteUInt16BigEndian(destination[7..], (ushort)values.Length);
        destination[9] = (byte)(values.Length * 2);
        WriteRegisters(destination[10..], values);
        return 10 + values.Length * 2;
    }

    internal static void WriteRegisters(Span<byte> destination, ReadOnlySpan<ushort> values)
    {
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16BigEndian(destination[(i * 2)..], values[i]);
    }
}

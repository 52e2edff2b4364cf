using System.Buffers.Binary;

namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>
/// Decodes and validates request PDUs the way section 6 of the Modbus Application Protocol V1.1b3 prescribes for
/// each function's state diagram: unknown function → 01, bad quantity / byte count / length → 03, range past
/// address 65535 → 02. Returns null when the request is valid.
/// </summary>
public static class ModbusRequestDecoder
{
    public static ModbusExceptionCode? Decode(ReadOnlySpan<byte> pdu, out ModbusRequest request)
    {
        request = default;
        if (pdu.IsEmpty) return ModbusExceptionCode.IllegalFunction;
        var function = (ModbusFunctionCode)pdu[0];
        switch (function)
        {
            case ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs:
                return DecodeRead(pdu, function, ModbusLimits.MaxReadBits, out request);
            case ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters:
                return DecodeRead(pdu, function, ModbusLimits.MaxReadRegisters, out request);
            case ModbusFunctionCode.WriteSingleCoil:
            {
                if (pdu.Length != 5) return ModbusExceptionCode.IllegalDataValue;
                var value = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                if (value is not (0xFF00 or 0x0000)) return ModbusExceptionCode.IllegalDataValue;
                request = new ModbusRequest { Function = function, Address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]), Quantity = 1, Value = value };
                return null;
            }
            case ModbusFunctionCode.WriteSingleRegister:
                if (pdu.Length != 5) return ModbusExceptionCode.IllegalDataValue;
                request = new ModbusRequest
                {
                    Function = function, Address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]), Quantity = 1,
                    Value = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]),
                };
                return null;
            case ModbusFunctionCode.WriteMultipleCoils:
                return DecodeWriteMultiple(pdu, function, ModbusLimits.MaxWriteBits, bits: true, out request);
            case ModbusFunctionCode.WriteMultipleRegisters:
                return DecodeWriteMultiple(pdu, function, ModbusLimits.MaxWriteRegisters, bits: false, out request);
            case ModbusFunctionCode.ReadWriteMultipleRegisters:
            {
                if (pdu.Length < 10) return ModbusExceptionCode.IllegalDataValue;
                var readAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
                var readQuantity = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
                var writeAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[5..]);
                var writeQuantity = BinaryPrimitives.ReadUInt16BigEndian(pdu[7..]);
                var byteCount = pdu[9];
                if (readQuantity is < 1 or > ModbusLimits.MaxReadWriteReadRegisters
                    || writeQuantity is < 1 or > ModbusLimits.MaxReadWriteWriteRegisters
                    || byteCount != writeQuantity * 2 || pdu.Length != 10 + byteCount)
                    return ModbusExceptionCode.IllegalDataValue;
                if (readAddress + readQuantity > 65536 || writeAddress + writeQuantity > 65536) return ModbusExceptionCode.IllegalDataAddress;
                request = new ModbusRequest
                {
                    Function = function, Address = readAddress, Quantity = readQuantity,
                    WriteAddress = writeAddress, WriteQuantity = writeQuantity, Data = pdu.Slice(10, byteCount),
                };
                return null;
            }
            default:
                return ModbusExceptionCode.IllegalFunction;
        }
    }

    private static ModbusExceptionCode? DecodeRead(ReadOnlySpan<byte> pdu, ModbusFunctionCode function, int max, out ModbusRequest request)
    {
        request = default;
        if (pdu.Length != 5) return ModbusExceptionCode.IllegalDataValue;
        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (quantity < 1 || quantity > max) return ModbusExceptionCode.IllegalDataValue;
        if (address + quantity > 65536) return ModbusExceptionCode.IllegalDataAddress;
        request = new ModbusRequest { Function = function, Address = address, Quantity = quantity };
        return null;
    }

    private static ModbusExceptionCode? DecodeWriteMultiple(ReadOnlySpan<byte> pdu, ModbusFunctionCode function, int max, bool bits, out ModbusRequest request)
    {
        request = default;
        if (pdu.Length < 6) return ModbusExceptionCode.IllegalDataValue;
        var address = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        var byteCount = pdu[5];
        var expected = bits ? ModbusBits.ByteCount(quantity) : quantity * 2;
        if (quantity < 1 || quantity > max || byteCount != expected || pdu.Length != 6 + byteCount) return ModbusExceptionCode.IllegalDataValue;
        if (address + quantity > 65536) return ModbusExceptionCode.IllegalDataAddress;
        request = new ModbusRequest { Function = function, Address = address, Quantity = quantity, Data = pdu.Slice(6, byteCount) };
        return null;
    }
}

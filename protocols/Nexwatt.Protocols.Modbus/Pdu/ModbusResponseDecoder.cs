using System.Buffers.Binary;

namespace Nexwatt.Protocols.Modbus.Pdu;

/// <summary>
/// Decodes response PDUs against the request that asked for them (Modbus Application Protocol V1.1b3, section 6).
/// An exception response (function | 0x80, section 7) throws <see cref="ModbusRemoteException"/>; anything that does
/// not match the request throws <see cref="ModbusProtocolException"/>. Nothing is allocated.
/// </summary>
public static class ModbusResponseDecoder
{
    /// <summary>FC 0x03 / 0x04 / 0x17: byte count then <paramref name="destination"/>.Length registers.</summary>
    public static void ReadRegisters(ReadOnlySpan<byte> pdu, byte function, Span<ushort> destination)
    {
        CheckFunction(pdu, function);
        var expected = destination.Length * 2;
        if (pdu.Length < 2 || pdu[1] != expected || pdu.Length != 2 + expected)
            throw new ModbusProtocolException(
                $"Function 0x{function:X2} response carries {(pdu.Length < 2 ? 0 : pdu[1])} data bytes in a {pdu.Length}-byte PDU; expected {expected} bytes for {destination.Length} registers.");
        for (var i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadUInt16BigEndian(pdu[(2 + i * 2)..]);
    }

    /// <summary>FC 0x01 / 0x02: byte count then packed bits, first bit in the least significant position.</summary>
    public static void ReadBits(ReadOnlySpan<byte> pdu, byte function, Span<bool> destination)
    {
        CheckFunction(pdu, function);
        var expected = ModbusBits.ByteCount(destination.Length);
        if (pdu.Length < 2 || pdu[1] != expected || pdu.Length != 2 + expected)
            throw new ModbusProtocolException(
                $"Function 0x{function:X2} response carries {(pdu.Length < 2 ? 0 : pdu[1])} data bytes in a {pdu.Length}-byte PDU; expected {expected} bytes for {destination.Length} bits.");
        ModbusBits.Unpack(pdu[2..], destination);
    }

    /// <summary>FC 0x05 / 0x06 answer with an echo of the request; FC 0x0F / 0x10 echo address and quantity.</summary>
    public static void WriteEcho(ReadOnlySpan<byte> pdu, byte function, ushort address, ushort valueOrQuantity)
    {
        CheckFunction(pdu, function);
        if (pdu.Length != 5)
            throw new ModbusProtocolException($"Function 0x{function:X2} response is {pdu.Length} bytes; expected 5.");
        var echoedAddress = BinaryPrimitives.ReadUInt16BigEndian(pdu[1..]);
        var echoedValue = BinaryPrimitives.ReadUInt16BigEndian(pdu[3..]);
        if (echoedAddress != address || echoedValue != valueOrQuantity)
            throw new ModbusProtocolException(
                $"Function 0x{function:X2} response echoes address {echoedAddress} / {echoedValue}; the request was {address} / {valueOrQuantity}.");
    }

    /// <summary>Throws <see cref="ModbusRemoteException"/> for an exception response and <see cref="ModbusProtocolException"/> for a foreign function.</summary>
    public static void CheckFunction(ReadOnlySpan<byte> pdu, byte function)
    {
        if (pdu.IsEmpty) throw new ModbusProtocolException("The response PDU is empty.");
        if (pdu[0] == (function | 0x80))
        {
            if (pdu.Length != 2) throw new ModbusProtocolException($"Exception response to function 0x{function:X2} is {pdu.Length} bytes; expected 2.");
            throw new ModbusRemoteException(function, (ModbusExceptionCode)pdu[1]);
        }
        if (pdu[0] != function)
            throw new ModbusProtocolException($"Response function 0x{pdu[0]:X2} does not match request function 0x{function:X2}.");
    }
}

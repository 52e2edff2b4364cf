using System.Buffers;
using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>
/// RTU framing (Modbus over Serial Line V1.02, section 2.5.1): address, PDU, CRC-16 (low byte first).
/// RTU has no length field, so the frame length comes from the function code and, where present, the byte count;
/// every byte count is checked against the PDU limit before the codec waits for the body.
/// </summary>
public static class RtuCodec
{
    /// <summary>Reads one request frame (master → slave); false when incomplete; throws <see cref="ModbusProtocolException"/> when malformed.</summary>
    public static bool TryReadRequest(ref ReadOnlySequence<byte> buffer, out RtuFrame frame)
    {
        frame = default;
        if (buffer.Length < 2) return false;
        var function = Peek(buffer, 1);
        int pduLength;
        switch (function)
        {
            case >= 0x01 and <= 0x06:
                pduLength = 5;
                break;
            case 0x0F or 0x10:
                if (buffer.Length < 7) return false;
                pduLength = 6 + CheckByteCount(Peek(buffer, 6), 246, function);
                break;
            case 0x17:
                if (buffer.Length < 11) return false;
                pduLength = 10 + CheckByteCount(Peek(buffer, 10), 242, function);
                break;
            default:
                throw new ModbusProtocolException($"RTU request function 0x{function:X2} has no known length; cannot frame it.");
        }
        return TryComplete(ref buffer, pduLength, out frame);
    }

    /// <summary>Reads one response frame (slave → master); false when incomplete; throws <see cref="ModbusProtocolException"/> when malformed.</summary>
    public static bool TryReadResponse(ref ReadOnlySequence<byte> buffer, out RtuFrame frame)
    {
        frame = default;
        switch (TryGetResponseLength(buffer, out var aduLength))
        {
            case RtuLength.Incomplete:
                return false;
            case RtuLength.Unknown:
                throw new ModbusProtocolException($"RTU response function 0x{Peek(buffer, 1):X2} has no known length; cannot frame it.");
            default:
                return TryComplete(ref buffer, aduLength - 3, out frame);
        }
    }

    /// <summary>
    /// The length of the response ADU at the start of <paramref name="buffer"/> as its function code and byte count
    /// imply; <see cref="RtuLength.Unknown"/> for a function whose length only the line silence tells.
    /// Throws <see cref="ModbusProtocolException"/> for a byte count over the PDU limit.
    /// </summary>
    public static RtuLength TryGetResponseLength(in ReadOnlySequence<byte> buffer, out int aduLength)
    {
        aduLength = 0;
        if (buffer.Length < 2) return RtuLength.Incomplete;
        var function = Peek(buffer, 1);
        int pduLength;
        if ((function & 0x80) != 0) pduLength = 2;
        else
        {
            switch (function)
            {
                case 0x01 or 0x02 or 0x03 or 0x04 or 0x17:
                    if (buffer.Length < 3) return RtuLength.Incomplete;
                    pduLength = 2 + CheckByteCount(Peek(buffer, 2), 250, function);
                    break;
                case 0x05 or 0x06 or 0x0F or 0x10:
                    pduLength = 5;
                    break;
                default:
                    return RtuLength.Unknown;
            }
        }
        aduLength = pduLength + 3;
        return RtuLength.Known;
    }

    /// <summary>True when the last two bytes of <paramref name="adu"/> are the CRC of the others.</summary>
    public static bool HasValidCrc(ReadOnlySpan<byte> adu)
        => adu.Length >= 4 && ModbusCrc16.Compute(adu[..^2]) == (ushort)(adu[^2] | (adu[^1] << 8));

    /// <summary>Writes address, PDU and CRC; returns the ADU length.</summary>
    public static int Write(Span<byte> destination, byte address, ReadOnlySpan<byte> pdu)
    {
        if (pdu.Length < 1 || pdu.Length > ModbusLimits.MaxPduLength)
            throw new ArgumentOutOfRangeException(nameof(pdu), pdu.Length, $"A PDU is 1..{ModbusLimits.MaxPduLength} bytes.");
        destination[0] = address;
        pdu.CopyTo(destination[1..]);
        var crc = ModbusCrc16.Compute(destination[..(1 + pdu.Length)]);
        destination[1 + pdu.Length] = (byte)crc;
        destination[2 + pdu.Length] = (byte)(crc >> 8);
        return pdu.Length + 3;
    }

    private static bool TryComplete(ref ReadOnlySequence<byte> buffer, int pduLength, out RtuFrame frame)
    {
        frame = default;
        var total = pduLength + 3;
        if (buffer.Length < total) return false;
        Span<byte> adu = stackalloc byte[ModbusLimits.MaxRtuAduLength];
        buffer.Slice(0, total).CopyTo(adu);
        var expected = ModbusCrc16.Compute(adu[..(total - 2)]);
        var received = (ushort)(adu[total - 2] | (adu[total - 1] << 8));
        if (expected != received)
            throw new ModbusProtocolException($"RTU CRC mismatch: received 0x{received:X4}, computed 0x{expected:X4}.");
        frame = new RtuFrame(adu[0], buffer.Slice(1, pduLength));
        buffer = buffer.Slice(total);
        return true;
    }

    private static int CheckByteCount(byte byteCount, int max, byte function)
    {
        if (byteCount > max) throw new ModbusProtocolException($"RTU function 0x{function:X2} byte count {byteCount} exceeds {max}.");
        return byteCount;
    }

    private static byte Peek(in ReadOnlySequence<byte> buffer, int index)
    {
        var first = buffer.FirstSpan;
        if (index < first.Length) return first[index];
        Span<byte> one = stackalloc byte[1];
        buffer.Slice(index, 1).CopyTo(one);
        return one[0];
    }
}

/// <summary>What the start of a buffer says about the length of its frame.</summary>
public enum RtuLength { Incomplete, Known, Unknown }

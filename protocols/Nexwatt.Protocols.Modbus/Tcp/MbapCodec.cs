using System.Buffers;
using System.Buffers.Binary;
using Nexwatt.Protocols.Modbus.Pdu;

namespace Nexwatt.Protocols.Modbus.Tcp;

/// <summary>
/// MBAP framing (Modbus Messaging on TCP/IP Implementation Guide V1.0b, section 3.1.3):
/// <code>
///  0      2      4      6     7
///  +------+------+------+-----+---------------+
///  | tid  | 0000 | len  | uid | PDU (len - 1) |
///  +------+------+------+-----+---------------+
/// </code>
/// The length counts the unit id and the PDU: 2..254. It is checked before anything waits for or copies the body.
/// </summary>
public static class MbapCodec
{
    /// <summary>Reads one frame; false when more bytes are needed. Malformed headers throw <see cref="ModbusProtocolException"/>.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out MbapFrame frame)
    {
        frame = default;
        if (buffer.Length < ModbusLimits.MbapHeaderLength) return false;
        Span<byte> copy = stackalloc byte[ModbusLimits.MbapHeaderLength];
        scoped ReadOnlySpan<byte> header = buffer.FirstSpan;
        if (header.Length < ModbusLimits.MbapHeaderLength)
        {
            buffer.Slice(0, ModbusLimits.MbapHeaderLength).CopyTo(copy);
            header = copy;
        }

        var protocolId = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        if (protocolId != 0) throw new ModbusProtocolException($"MBAP protocol identifier is {protocolId}; Modbus is 0.");
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        if (length < 2 || length > ModbusLimits.MaxPduLength + 1)
            throw new ModbusProtocolException($"MBAP length {length} is outside 2..{ModbusLimits.MaxPduLength + 1} (unit id + PDU).");
        if (buffer.Length < 6 + length) return false;

        frame = new MbapFrame(BinaryPrimitives.ReadUInt16BigEndian(header), header[6], buffer.Slice(ModbusLimits.MbapHeaderLength, length - 1));
        buffer = buffer.Slice(6 + length);
        return true;
    }

    /// <summary>Writes header and PDU; returns the ADU length.</summary>
    public static int Write(Span<byte> destination, ushort transactionId, byte unitId, ReadOnlySpan<byte> pdu)
    {
        WriteHeader(destination, transactionId, unitId, pdu.Length);
        pdu.CopyTo(destination[ModbusLimits.MbapHeaderLength..]);
        return ModbusLimits.MbapHeaderLength + pdu.Length;
    }

    /// <summary>Writes the 7-byte header for a PDU of <paramref name="pduLength"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, ushort transactionId, byte unitId, int pduLength)
    {
        if (pduLength < 1 || pduLength > ModbusLimits.MaxPduLength)
            throw new ArgumentOutOfRangeException(nameof(pduLength), pduLength, $"A PDU is 1..{ModbusLimits.MaxPduLength} bytes.");
        BinaryPrimitives.WriteUInt16BigEndian(destination, transactionId);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)(pduLength + 1));
        destination[6] = unitId;
    }
}

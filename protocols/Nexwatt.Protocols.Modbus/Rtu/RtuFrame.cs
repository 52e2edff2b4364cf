using System.Buffers;

namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>One RTU ADU with a valid CRC. <see cref="Pdu"/> is a slice of the reader's buffer: valid until it advances.</summary>
public readonly struct RtuFrame(byte address, ReadOnlySequence<byte> pdu)
{
    /// <summary>The slave address (0 = broadcast).</summary>
    public byte Address { get; } = address;
    public ReadOnlySequence<byte> Pdu { get; } = pdu;
}

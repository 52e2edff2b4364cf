using System.Buffers;

namespace Nexwatt.Protocols.Modbus.Tcp;

/// <summary>
/// One Modbus TCP ADU. <see cref="Pdu"/> is a slice of the reader's buffer: valid until the reader advances.
/// </summary>
public readonly struct MbapFrame(ushort transactionId, byte unitId, ReadOnlySequence<byte> pdu)
{
    public ushort TransactionId { get; } = transactionId;
    public byte UnitId { get; } = unitId;
    public ReadOnlySequence<byte> Pdu { get; } = pdu;
}

namespace Nexwatt.Protocols.Modbus.Rtu;

/// <summary>An RTU frame copied out of the reader's buffer: the slave address and the PDU.</summary>
public sealed record RtuMessage(byte Address, byte[] Pdu);

using System.Buffers;
using Nexwatt.Protocols.Mqtt.Packets;

namespace Nexwatt.Protocols.Mqtt.Formatter;

/// <summary>
/// Splits a byte stream into MQTT packets and decodes them (fixed header: MQTT 5.0 section 2.1, 3.1.1 section 2.2):
/// <code>
///  byte 1      bytes 2..5                   remaining length bytes
///  +---------+----------------------------+------------------------------+
///  | type|flg| remaining length (VBI 1-4) | variable header + payload    |
///  +---------+----------------------------+------------------------------+
/// </code>
/// The whole packet length is checked against the limit as soon as the remaining length is known, before any
/// waiting for or copying of the body. Pure: no I/O, no clock.
/// </summary>
internal static class MqttFrameReader
{
    /// <summary>
    /// Reads one packet: false when more bytes are needed; <see cref="MqttProtocolException"/> when the bytes are
    /// malformed or the packet is larger than <paramref name="maxPacketSize"/>.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, MqttProtocolVersion version, int maxPacketSize, out MqttPacket packet)
    {
        packet = null!;
        if (!TryReadHeader(buffer, maxPacketSize, out var fixedHeader, out var headerLength, out var remaining)) return false;
        if (buffer.Length < headerLength + remaining) return false;
        var body = buffer.Slice(headerLength, remaining);
        if (body.IsSingleSegment)
        {
            packet = MqttPacketDecoder.Decode(fixedHeader, body.FirstSpan, version);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(remaining);
            try
            {
                body.CopyTo(rented);
                packet = MqttPacketDecoder.Decode(fixedHeader, rented.AsSpan(0, remaining), version);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        buffer = buffer.Slice(headerLength + remaining);
        return true;
    }

    /// <summary>Reads the fixed header only; false when incomplete.</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, int maxPacketSize, out byte fixedHeader, out int headerLength, out int remaining)
    {
        fixedHeader = 0;
        headerLength = 0;
        remaining = 0;
        if (buffer.Length < 2) return false;
        fixedHeader = buffer.FirstSpan[0];
        if (fixedHeader >> 4 == 0) throw new MqttProtocolException("Malformed packet: control packet type 0 is reserved.");
        if (!VariableByteInteger.TryRead(buffer, 1, out remaining, out var vbiLength)) return false;
        headerLength = 1 + vbiLength;
        if ((long)headerLength + remaining > maxPacketSize)
            throw new MqttProtocolException(
                $"{(MqttPacketType)(fixedHeader >> 4)} packet of {headerLength + (long)remaining} bytes exceeds the maximum packet size of {maxPacketSize} bytes.")
            {
                IsPacketTooLarge = true,
            };
        return true;
    }
}

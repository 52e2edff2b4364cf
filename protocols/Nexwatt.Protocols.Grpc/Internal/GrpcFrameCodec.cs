using System.Buffers;
using System.Buffers.Binary;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>
/// The Length-Prefixed-Message of PROTOCOL-HTTP2.md:
/// <code>
/// +----------------+-------------------------------+-------------------+
/// | Compressed-Flag | Message-Length (uint32, BE)  | Message           |
/// | 1 byte: 0 or 1  | 4 bytes                      | Message-Length    |
/// +----------------+-------------------------------+-------------------+
/// </code>
/// DATA frame boundaries have no relation to message boundaries. Pure: no I/O, no clock.
/// </summary>
internal static class GrpcFrameCodec
{
    public const int HeaderLength = 5;

    /// <summary>
    /// Reads one message off the front of <paramref name="buffer"/>. False when more bytes are needed (buffer
    /// unchanged). The flag and the declared length are checked as soon as the 5-byte prefix is there, before
    /// anything waits for (or allocates) the message.
    /// </summary>
    /// <exception cref="GrpcException">Internal for a flag other than 0/1; ResourceExhausted for a length over the limit.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out bool compressed, out ReadOnlySequence<byte> message)
    {
        compressed = false;
        message = default;
        if (buffer.IsEmpty) return false;
        var flag = buffer.FirstSpan[0];
        if (flag > 1) throw new GrpcException(GrpcStatusCode.Internal, $"Invalid compressed flag {flag} in a message prefix.");
        if (buffer.Length < HeaderLength) return false;
        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
            throw new GrpcException(GrpcStatusCode.ResourceExhausted, $"Received message larger than max ({length} vs. {maxMessageSize}).");
        if (buffer.Length - HeaderLength < length) return false;
        compressed = flag == 1;
        message = buffer.Slice(HeaderLength, length);
        buffer = buffer.Slice(message.End);
        return true;
    }

    /// <summary>Writes the 5-byte prefix for a message of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }
}

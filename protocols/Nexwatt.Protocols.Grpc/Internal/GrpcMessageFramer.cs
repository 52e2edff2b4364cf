using System.IO.Compression;

namespace Nexwatt.Protocols.Grpc.Internal;

/// <summary>Serializes a message into one complete length-prefixed frame, gzip-compressed when asked.</summary>
internal static class GrpcMessageFramer
{
    /// <exception cref="GrpcException">ResourceExhausted when the serialized message is over <paramref name="maxMessageSize"/>.</exception>
    public static byte[] Frame<T>(T message, GrpcMarshaller<T> marshaller, GrpcCompression compression, int maxMessageSize, CompressionLevel level = CompressionLevel.Fastest)
    {
        var serialized = new System.Buffers.ArrayBufferWriter<byte>(256);
        marshaller.Serializer(message, serialized);
        if (serialized.WrittenCount > maxMessageSize)
            throw new GrpcException(GrpcStatusCode.ResourceExhausted, $"Sending message larger than max ({serialized.WrittenCount} vs. {maxMessageSize}).");
        ReadOnlySpan<byte> payload = serialized.WrittenSpan;
        var compressed = compression == GrpcCompression.Gzip;
        if (compressed) payload = GzipMessageCodec.Compress(payload, level);
        var frame = new byte[GrpcFrameCodec.HeaderLength + payload.Length];
        GrpcFrameCodec.WriteHeader(frame, compressed, payload.Length);
        payload.CopyTo(frame.AsSpan(GrpcFrameCodec.HeaderLength));
        return frame;
    }
}

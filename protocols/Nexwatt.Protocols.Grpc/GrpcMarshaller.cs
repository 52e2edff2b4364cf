using System.Buffers;

namespace Nexwatt.Protocols.Grpc;

/// <summary>Turns messages into bytes and back. <see cref="ProtobufGrpc"/> builds them for protobuf messages.</summary>
/// <typeparam name="T">The message type.</typeparam>
public sealed class GrpcMarshaller<T>
{
    /// <summary>Creates a marshaller from a serializer and a deserializer.</summary>
    public GrpcMarshaller(Action<T, IBufferWriter<byte>> serializer, Func<ReadOnlySequence<byte>, T> deserializer)
    {
        Serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        Deserializer = deserializer ?? throw new ArgumentNullException(nameof(deserializer));
    }

    /// <summary>Writes the serialized message.</summary>
    public Action<T, IBufferWriter<byte>> Serializer { get; }

    /// <summary>Parses one whole (decompressed) message.</summary>
    public Func<ReadOnlySequence<byte>, T> Deserializer { get; }
}
